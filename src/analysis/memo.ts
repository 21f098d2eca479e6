/**
 * A bounded memo: a value computed once per key and kept while its key is among the `capacity` used most recently
 * (the least recently used goes first). For work an analysis asks for again with the same input: a spec's parse
 * tree, a candidate applied to a text, a text's memory estimate.
 */
export class Memo<K, V> {
  private readonly values = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K, compute: (key: K) => V): V {
    if (this.values.has(key)) {
      const known = this.values.get(key) as V;
      this.values.delete(key);
      this.values.set(key, known);
      return known;
    }
    const value = compute(key);
    if (this.values.size >= this.capacity) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, value);
    return value;
  }
}
