/**
 * The part of ONNX an MLP import reads, decoded from protobuf's wire format by hand (onnx.proto field numbers):
 * ModelProto.graph (7) and opset_import (8); GraphProto node (1), initializer (5), input (11), output (12);
 * NodeProto input (1), output (2), name (3), op_type (4), attribute (5); AttributeProto name (1), f (2), i (3),
 * s (4), t (5), floats (7), ints (8), strings (9); TensorProto dims (1), data_type (2), float_data (4), int32_data (5),
 * int64_data (7), name (8), raw_data (9), data_location (14). A small bounds-checked reader instead of a protobuf library and schema: nothing else of the
 * format is needed, and every length is checked against the buffer (a hostile file is an error, not a hang).
 */

export class OnnxError extends Error {}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** FLOAT (1) tensors only; other types are refused where they are read. */
  data: Float32Array;
  /** INT64 (7) and INT32 (6) tensors: their values (shapes and paddings the import folds), else absent. */
  ints?: number[];
}

export interface OnnxAttribute {
  name: string;
  f: number | null;
  i: number | null;
  s: string | null;
  floats: number[];
  ints: number[];
  /** Repeated strings (an RNN's activations). */
  strings: string[];
  t: OnnxTensor | null;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** Dimensions: a number, or null for a symbolic or unknown one. */
  shape: (number | null)[] | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  producer: string;
}

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const MAX_DEPTH = 16;

class Reader {
  at: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.at = start;
  }

  done(): boolean {
    return this.at >= this.end;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new OnnxError('truncated ONNX file');
      const b = this.buf[this.at++]!;
      if (shift < 53) result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new OnnxError('corrupt ONNX file (a varint longer than 10 bytes)');
  }

  /** A signed int64 varint (two's complement, read exactly: −1 is ten bytes); huge values lose precision. */
  int64(): number {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new OnnxError('truncated ONNX file');
      const b = this.buf[this.at++]!;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, result));
    }
    throw new OnnxError('corrupt ONNX file (a varint longer than 10 bytes)');
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (length > this.end - this.at) throw new OnnxError('truncated ONNX file (a field runs past the end)');
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  sub(): Reader {
    const b = this.bytes();
    return new Reader(this.buf, b.byteOffset - this.buf.byteOffset, b.byteOffset - this.buf.byteOffset + b.length);
  }

  float(): number {
    if (this.end - this.at < 4) throw new OnnxError('truncated ONNX file');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 4).getFloat32(0, true);
    this.at += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.advance(4);
    else throw new OnnxError(`corrupt ONNX file (wire type ${wire})`);
  }

  private advance(n: number): void {
    if (this.end - this.at < n) throw new OnnxError('truncated ONNX file');
    this.at += n;
  }

  /** Calls `field(number, wire)` for each field; the callback reads or returns false to skip it. */
  fields(field: (number: number, wire: number) => boolean): void {
    while (!this.done()) {
      const key = this.varint();
      const number = Math.floor(key / 8);
      const wire = key % 8;
      if (!field(number, wire)) this.skip(wire);
    }
  }
}

const text = new TextDecoder('utf-8');

export function readOnnx(buf: Uint8Array): OnnxGraph {
  let graph: OnnxGraph | null = null;
  let opset = 0;
  let producer = '';
  const top = new Reader(buf);
  top.fields((n, wire) => {
    if (n === 7 && wire === 2) graph = readGraph(top.sub(), 0);
    else if (n === 2 && wire === 2) producer = text.decode(top.bytes());
    else if (n === 8 && wire === 2) {
      const o = top.sub();
      let domain = '';
      let version = 0;
      o.fields((m, w) => {
        if (m === 1 && w === 2) domain = text.decode(o.bytes());
        else if (m === 2 && w === 0) version = o.varint();
        else return false;
        return true;
      });
      if (domain === '' || domain === 'ai.onnx') opset = version;
    } else return false;
    return true;
  });
  if (graph === null) throw new OnnxError('not an ONNX model (no graph)');
  const g = graph as OnnxGraph;
  return { ...g, opset, producer };
}

function readGraph(r: Reader, depth: number): OnnxGraph {
  if (depth > MAX_DEPTH) throw new OnnxError('ONNX graphs nested too deeply');
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  r.fields((n, wire) => {
    if (wire !== 2) return false;
    if (n === 1) nodes.push(readNode(r.sub()));
    else if (n === 5) {
      const t = readTensor(r.sub());
      initializers.set(t.name, t);
    } else if (n === 11) inputs.push(readValueInfo(r.sub()));
    else if (n === 12) outputs.push(readValueInfo(r.sub()));
    else return false;
    return true;
  });
  return { nodes, initializers, inputs, outputs, opset: 0, producer: '' };
}

function readNode(r: Reader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  r.fields((n, wire) => {
    if (wire !== 2) return false;
    if (n === 1) node.inputs.push(text.decode(r.bytes()));
    else if (n === 2) node.outputs.push(text.decode(r.bytes()));
    else if (n === 3) node.name = text.decode(r.bytes());
    else if (n === 4) node.opType = text.decode(r.bytes());
    else if (n === 7) node.domain = text.decode(r.bytes());
    else if (n === 5) {
      const a = readAttribute(r.sub());
      node.attributes.set(a.name, a);
    } else return false;
    return true;
  });
  return node;
}

function readAttribute(r: Reader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', f: null, i: null, s: null, floats: [], ints: [], strings: [], t: null };
  r.fields((n, wire) => {
    if (n === 1 && wire === 2) a.name = text.decode(r.bytes());
    else if (n === 2 && wire === 5) a.f = r.float();
    else if (n === 3 && wire === 0) a.i = r.int64();
    else if (n === 4 && wire === 2) a.s = text.decode(r.bytes());
    else if (n === 5 && wire === 2) a.t = readTensor(r.sub());
    else if (n === 7 && wire === 5) a.floats.push(r.float());
    else if (n === 7 && wire === 2) {
      const p = r.sub();
      while (!p.done()) a.floats.push(p.float());
    } else if (n === 9 && wire === 2) a.strings.push(text.decode(r.bytes()));
    else if (n === 8 && wire === 0) a.ints.push(r.int64());
    else if (n === 8 && wire === 2) {
      const p = r.sub();
      while (!p.done()) a.ints.push(p.int64());
    } else return false;
    return true;
  });
  return a;
}

function readTensor(r: Reader): OnnxTensor {
  const dims: number[] = [];
  let type = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  const ints: number[] = [];
  let external = false;
  r.fields((n, wire) => {
    if (n === 1 && wire === 0) dims.push(r.int64());
    else if (n === 1 && wire === 2) {
      const p = r.sub();
      while (!p.done()) dims.push(p.int64());
    } else if (n === 2 && wire === 0) type = r.varint();
    else if (n === 4 && wire === 5) floats.push(r.float());
    else if (n === 4 && wire === 2) {
      const p = r.sub();
      while (!p.done()) floats.push(p.float());
    } else if ((n === 5 || n === 7) && wire === 0) ints.push(r.int64());
    else if ((n === 5 || n === 7) && wire === 2) {
      // int32_data (5) and int64_data (7), packed
      const p = r.sub();
      while (!p.done()) ints.push(p.int64());
    } else if (n === 8 && wire === 2) name = text.decode(r.bytes());
    else if (n === 9 && wire === 2) raw = r.bytes();
    else if (n === 14 && wire === 0) external = r.varint() === 1;
    else return false;
    return true;
  });
  if (external) throw new OnnxError(`tensor "${name}": external data files are not read`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (type === INT64 || type === INT32)
    return { name, dims, data: new Float32Array(0), ints: integers(raw as Uint8Array | null, ints, type, count, name) };
  if (type !== FLOAT) return { name, dims, data: new Float32Array(0) };
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || count > 2 ** 28)
    throw new OnnxError(`tensor "${name}": unreadable dimensions ${JSON.stringify(dims)}`);
  const rawBytes = raw as Uint8Array | null;
  let data: Float32Array;
  if (rawBytes !== null) {
    if (rawBytes.length !== count * 4)
      throw new OnnxError(`tensor "${name}": ${rawBytes.length} bytes for ${count} floats`);
    data = new Float32Array(count);
    const view = new DataView(rawBytes.buffer, rawBytes.byteOffset, rawBytes.length);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  } else {
    if (floats.length !== count) throw new OnnxError(`tensor "${name}": ${floats.length} values for ${count}`);
    data = Float32Array.from(floats);
  }
  return { name, dims, data };
}

/** Integer tensor values from raw_data (little-endian int64 or int32) or the int fields; int64 beyond 2^53 loses precision. */
function integers(raw: Uint8Array | null, fields: number[], type: number, count: number, name: string): number[] {
  if (raw === null) return fields;
  const width = type === INT64 ? 8 : 4;
  if (raw.length !== count * width) throw new OnnxError(`tensor "${name}": ${raw.length} bytes for ${count} integers`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const out: number[] = [];
  for (let i = 0; i < count; i++)
    out.push(width === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true));
  return out;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', shape: null };
  r.fields((n, wire) => {
    if (n === 1 && wire === 2) info.name = text.decode(r.bytes());
    else if (n === 2 && wire === 2) info.shape = readTypeShape(r.sub());
    else return false;
    return true;
  });
  return info;
}

/** TypeProto.tensor_type (1) → TypeProto.Tensor.shape (2) → TensorShapeProto.dim (1) → dim_value (1). */
function readTypeShape(r: Reader): (number | null)[] | null {
  let shape: (number | null)[] | null = null;
  r.fields((n, wire) => {
    if (n !== 1 || wire !== 2) return false;
    const tensor = r.sub();
    tensor.fields((m, w) => {
      if (m !== 2 || w !== 2) return false;
      const s = tensor.sub();
      shape = [];
      s.fields((k, x) => {
        if (k !== 1 || x !== 2) return false;
        const dim = s.sub();
        let value: number | null = null;
        dim.fields((d, y) => {
          if (d === 1 && y === 0) value = dim.int64();
          else return false;
          return true;
        });
        shape!.push(value);
        return true;
      });
      return true;
    });
    return true;
  });
  return shape;
}
