/**
 * Items of plain data take a fast encoding (src/plain-codec.ts) instead of the
 * general serializer; everything here must come out of a queue exactly as
 * structured clone would give it, on both sides of the line between the two.
 */
import { describe, expect, test } from 'vitest';
import { Queue, spawn } from 'native-threads';

function roundTrip<T>(value: T): T {
  const q = new Queue<T>();
  q.put(value);
  return q.get();
}

describe('plain-data items', () => {
  test('numbers keep their exact value: -0, NaN, infinities, the smallest and largest doubles', () => {
    const numbers = [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 0.1 + 0.2, -(2 ** 53)];
    const got = roundTrip({ numbers }).numbers;
    expect(got).toHaveLength(numbers.length);
    got.forEach((x, i) => expect(Object.is(x, numbers[i]), `index ${i}`).toBe(true));
  });

  test('strings of every width come back equal: empty, latin1, non-latin1, astral, long', () => {
    const strings = ['', 'plain', 'caf\u00e9 \u00ff', 'snow \u2603', 'astral \u{1F600}', '\u0000nul', 'x'.repeat(10_000), '\u00e9'.repeat(5_000), '\u2603'.repeat(9_000)];
    expect(roundTrip({ strings }).strings).toEqual(strings);
  });

  test('objects keep their keys in order, undefined values, bigints, and an own "__proto__" key', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    Object.assign(value, { b: 1, a: undefined, 10: 'ten', 2: 'two', big: -(2n ** 70n), t: true, f: false, n: null });
    const got = roundTrip(value);
    expect(Object.keys(got)).toEqual(Object.keys(value));
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(got).toStrictEqual(value);
  });

  test('many distinct keys of one length, and keys that repeat, come back exactly', () => {
    // The decoder keeps recent short keys by a hash of their bytes: keys that share a
    // slot, a length or a prefix must never be mistaken for one another.
    const q = new Queue();
    const items = Array.from({ length: 3000 }, (_, i) => ({
      [`k${String(i).padStart(4, '0')}`]: i,
      [`k${String(i % 7).padStart(4, '0')}`]: -i,
      ['x'.repeat(i % 30)]: 'v',
      ['é' + String(i % 5)]: true,
    }));
    for (const item of items) q.put(item);
    for (const item of items) {
      const got = q.get() as Record<string, unknown>;
      expect(got).toEqual(item);
      expect(Object.keys(got)).toEqual(Object.keys(item));
    }
  });

  test('what plain data cannot express still comes back as structured clone gives it', () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const holey = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const extra = Object.assign([1, 2], { label: 'extra' });
    const big = Array.from({ length: 5000 }, (_, i) => i);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { deep };
    const got = roundTrip({ twice: [shared, shared], cyclic, holey, extra, big, deep, date: new Date(5), map: new Map([[1, 2]]) });
    expect(got.twice[0]).toBe(got.twice[1]);
    expect(got.cyclic.self).toBe(got.cyclic);
    expect(1 in got.holey).toBe(false);
    expect(got.holey).toHaveLength(3);
    expect(got.extra.label).toBe('extra');
    expect(got.big).toEqual(big);
    expect(JSON.stringify(got.deep)).toBe(JSON.stringify(deep));
    expect(got.date).toEqual(new Date(5));
    expect(got.map.get(1)).toBe(2);
  });

  test('a getter that throws makes put throw its error, as structured clone does, and the queue stays empty', () => {
    const q = new Queue();
    const bad = { ok: 1, get boom(): number { throw new RangeError('no'); } };
    expect(() => structuredClone(bad)).toThrow(RangeError);
    expect(() => q.put(bad)).toThrow(RangeError);
    expect(q.qsize()).toBe(0);
  });

  test('a getter that puts into a queue while its object is being encoded: both items arrive intact', () => {
    const q = new Queue();
    const inner = new Queue();
    const tricky = { before: 'b', get side(): string { inner.put({ nested: ['n', 1] }); return 'side'; }, after: [1, 2] };
    q.put(tricky);
    expect(q.get()).toEqual({ before: 'b', side: 'side', after: [1, 2] });
    expect(inner.get()).toEqual({ nested: ['n', 1] });
  });

  test('plain items cross threads both ways, and as a return value', () => {
    const q = new Queue<unknown>();
    const item = { id: 7, name: 'caf\u00e9 \u2603', tags: ['a', 'b'], nested: { n: -0, big: 12n } };
    const t = spawn((q: Queue<unknown>) => {
      const got = q.get() as { tags: string[] };
      got.tags.push('from thread');
      return got;
    }, q);
    q.put(item);
    const back = t.join() as typeof item;
    expect(back).toEqual({ ...item, tags: ['a', 'b', 'from thread'] });
    expect(Object.is(back.nested.n, -0)).toBe(true);
  });
});
