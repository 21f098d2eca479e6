/** Config builders for the conv, pooling and reshape layers in tests. */
import type {
  ActivationName,
  BatchNormConfig,
  ConvConfig,
  FlattenConfig,
  GlobalAvgPoolConfig,
  InitConfig,
  PoolConfig,
} from '../../src/engine/config';
import { defaultAlpha } from './helpers';

let counter = 0;
const nextPath = (): string => `/layers/c${counter++}`;

export interface ConvOptions {
  stride?: number[];
  dilation?: number[];
  padding?: 'valid' | 'same';
  activation?: ActivationName;
  init?: InitConfig;
  biasInit?: number;
}

/** conv1d for a one-entry kernel, conv2d for two entries. */
export function conv(filters: number, kernel: number[], options: ConvOptions = {}): ConvConfig {
  const ones = kernel.map(() => 1);
  const activation = options.activation ?? 'linear';
  return {
    kind: kernel.length === 1 ? 'conv1d' : 'conv2d',
    path: nextPath(),
    filters,
    kernel,
    stride: options.stride ?? ones,
    dilation: options.dilation ?? ones,
    padding: options.padding ?? 'valid',
    activation: { name: activation, alpha: defaultAlpha(activation) },
    init: options.init ?? { name: 'glorot_uniform', scale: 1 },
    biasInit: options.biasInit ?? 0,
  };
}

export function pool(
  kind: 'maxpool' | 'avgpool',
  window: number[],
  options: { stride?: number[]; padding?: 'valid' | 'same' } = {},
): PoolConfig {
  return {
    kind,
    path: nextPath(),
    pool: window,
    stride: options.stride ?? window,
    padding: options.padding ?? 'valid',
  };
}

export function flatten(): FlattenConfig {
  return { kind: 'flatten', path: nextPath() };
}

export function globalAvgPool(): GlobalAvgPoolConfig {
  return { kind: 'global_avgpool', path: nextPath() };
}

export function batchNorm(): BatchNormConfig {
  return { kind: 'batchnorm', path: nextPath(), eps: 1e-5, momentum: 0.1 };
}
