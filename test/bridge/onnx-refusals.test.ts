/**
 * ONNX import of the new layers: every feature VGNet cannot express is an ImportError naming the node and the
 * feature. The graphs are written with python3-onnx's helper (the format's own writer), one feature off each.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/bridge/import-onnx';
import { python, SKIP_TORCH } from './torch';

const WRITER = String.raw`
import json, sys
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
rng = np.random.default_rng(0)


def tensor(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(name, nodes, inits, shape, out_shape):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits)
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "%s/%s.onnx" % (out, name))


def recurrent(name, op, gates, **attrs):
    """torch.onnx's batch-first pattern around one op: Transpose, op, Squeeze, Transpose, Gather(-1)."""
    h, f = 4, 3
    inits = [tensor("W", 1, gates * h, f), tensor("R", 1, gates * h, h), ints("axes", [1]), ints("last", -1)]
    inputs = ["xt", "W", "R"]
    if "h0" in attrs:
        inits.append(numpy_helper.from_array(np.ones((1, 2, h), np.float32), "h0"))
        inputs += ["", "", attrs.pop("h0")]
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], perm=[1, 0, 2]),
             helper.make_node(op, inputs, ["Y", "Yh"], name="rnn", hidden_size=h, **attrs),
             helper.make_node("Squeeze", ["Y", "axes"], ["s"]),
             helper.make_node("Transpose", ["s"], ["t"], perm=[1, 0, 2]),
             helper.make_node("Gather", ["t", "last"], ["y"], axis=1)]
    model(name, nodes, inits, [2, 5, f], [2, h])


def conv(name, x_shape, w_shape, y_shape, pre=None, **attrs):
    nodes, inits, source = [], [tensor("w", *w_shape)], "x"
    if pre is not None:
        inits.append(ints("pads", pre[1]))
        nodes.append(helper.make_node("Pad", ["x", "pads"], ["p"], mode=pre[0]))
        source = "p"
    nodes.append(helper.make_node("Conv", [source, "w"], ["y"], name="conv", **attrs))
    model(name, nodes, inits, x_shape, y_shape)


recurrent("gru-before-reset", "GRU", 3, linear_before_reset=0)
recurrent("lstm-bidirectional", "LSTM", 4, direction="bidirectional")
recurrent("rnn-sigmoid", "RNN", 1, activations=["Sigmoid"])
recurrent("lstm-initial-state", "LSTM", 4, h0="h0")
recurrent("lstm-clip", "LSTM", 4, clip=3.0)
conv("conv-same-lower", [2, 1, 6], [2, 1, 2], [2, 2, 6], auto_pad="SAME_LOWER")
conv("conv-groups", [2, 4, 6], [4, 2, 3], [2, 4, 4], group=2)
conv("conv-pads-before", [2, 1, 6], [2, 1, 2], [2, 2, 6], pads=[1, 0])
conv("conv-reflect", [2, 1, 6], [2, 1, 3], [2, 2, 6], pre=("reflect", [0, 0, 1, 0, 0, 1]))
model("avg-counts-padding", [helper.make_node("AveragePool", ["x"], ["y"], name="avg", kernel_shape=[3], pads=[1, 1],
      count_include_pad=1)], [], [2, 1, 6], [2, 1, 6])
model("max-ceil", [helper.make_node("MaxPool", ["x"], ["y"], name="max", kernel_shape=[2], strides=[2], ceil_mode=1)],
      [], [2, 1, 5], [2, 1, 3])
model("layernorm-axis", [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], name="ln", axis=1)],
      [tensor("g", 5, 3), tensor("b", 5, 3)], [2, 5, 3], [2, 5, 3])
`;

const CASES: [string, RegExp][] = [
  ['gru-before-reset', /node "rnn" \(GRU\): linear_before_reset 0/],
  ['lstm-bidirectional', /node "rnn" \(LSTM\): direction bidirectional/],
  ['rnn-sigmoid', /node "rnn" \(RNN\): the activation Sigmoid/],
  ['lstm-initial-state', /an initial state that is not zero/],
  ['lstm-clip', /clipping the cell/],
  ['conv-same-lower', /node "conv" \(Conv\): auto_pad SAME_LOWER/],
  ['conv-groups', /node "conv" \(Conv\): grouped convolution/],
  ['conv-pads-before', /padding \[\[1,0\]\] is neither none nor TF's 'same' \(\[\[0,1\]\]\)/],
  ['conv-reflect', /reflect padding/],
  ['avg-counts-padding', /node "avg" \(AveragePool\): count_include_pad/],
  ['max-ceil', /node "max" \(MaxPool\): ceil_mode/],
  ['layernorm-axis', /node "ln" \(LayerNormalization\): normalising from axis 1/],
];

describe.skipIf(SKIP_TORCH)('ONNX import of the new layers: what VGNet cannot express (python3-onnx)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-onnx-refusals-'));
  beforeAll(() => python(['-c', WRITER, dir]));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  it.each(CASES)('%s', (name, message) => {
    const bytes = fs.readFileSync(path.join(dir, `${name}.onnx`));
    expect(() => importOnnx(bytes, `${name}.onnx`, 'p.json')).toThrow(message);
  });
});
