/** A ref that always holds the latest value: for callbacks created once (uPlot hooks) that must read current props. */
import type { RefObject } from 'preact';
import { useRef } from 'preact/hooks';

export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
