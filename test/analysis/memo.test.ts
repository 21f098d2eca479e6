/** The bounded memo behind the parse-tree, applied-fix and memory-estimate caches. */
import { describe, expect, it } from 'vitest';
import { Memo } from '../../src/analysis/memo';

describe('Memo', () => {
  it('computes a key once, keeps the most recently used keys, and forgets the least recently used first', () => {
    const computed: string[] = [];
    const memo = new Memo<string, string>(2);
    const get = (key: string): string =>
      memo.get(key, (k) => {
        computed.push(k);
        return k.toUpperCase();
      });
    expect(get('a')).toBe('A');
    expect(get('b')).toBe('B');
    expect(get('a')).toBe('A'); // a is now the most recent
    expect(computed).toEqual(['a', 'b']);
    get('c'); // over capacity: b, the least recently used, goes
    get('a');
    expect(computed).toEqual(['a', 'b', 'c']);
    get('b');
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
  });

  it('remembers undefined and null answers too', () => {
    let calls = 0;
    const memo = new Memo<string, undefined>(4);
    memo.get('x', () => {
      calls++;
      return undefined;
    });
    memo.get('x', () => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(1);
  });
});
