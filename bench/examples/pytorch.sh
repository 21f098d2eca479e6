#!/usr/bin/env bash
# The issue-15 examples judged by PyTorch rather than by VGNet's engine: each problem example and the spec that
# `vgnet fix --apply` makes of it are exported to PyTorch, trained there on two fresh seeds (PyTorch's own
# generator), and the records diagnosed with `vgnet analyze --record`. A verdict holds when PyTorch's runs show the
# same problem; a fix holds when they show none. Needs /usr/bin/python3 with torch; run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI="node dist/cli.js"
OUT=$(mktemp -d /tmp/vgnet-examples-pytorch-XXXXXX)
SEEDS="${SEEDS:-101 202}"
for name in ${EXAMPLES:-rnn-adding-vanishing post-ln-blocks deep-plain-cnn}; do
  cp "examples/$name.vgnet.json" "$OUT/$name.vgnet.json"
  cp "examples/$name.vgnet.json" "$OUT/$name-fixed.vgnet.json"
  $CLI fix "$OUT/$name-fixed.vgnet.json" --apply > "$OUT/$name-fix.txt" 2>&1 || true
  for variant in "$name" "$name-fixed"; do
    for seed in $SEEDS; do
      $CLI export "$OUT/$variant.vgnet.json" --to pytorch -o "$OUT/$variant-$seed.py" --force --seed "$seed" > /dev/null
      (cd "$OUT" && OMP_NUM_THREADS=1 /usr/bin/python3 "$variant-$seed.py" --record "$variant-$seed.vgnet-record.json" \
        > "$variant-$seed.log" 2>&1)
      echo "== $variant, PyTorch seed $seed"
      $CLI analyze --record "$OUT/$variant-$seed.vgnet-record.json" --spec "$OUT/$variant.vgnet.json" --no-fixes 2>&1 |
        grep -E "warning|error|^loss " | cut -c1-200 || echo "(no findings)"
    done
  done
done
echo "files in $OUT"
