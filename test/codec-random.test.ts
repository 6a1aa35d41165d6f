/**
 * The item codec under random values: whatever structured clone takes, plus
 * handles and SharedArrayBuffers (and views on them), nested at random, comes out
 * of a queue (in this thread and through another) equal to what went in, handles
 * and buffers as the same objects, views over the same buffers. Seeded, so a
 * failure names its seed.
 */
import { describe, expect, test } from 'vitest';
import { Lock, Queue, Value, spawn } from 'native-threads';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const handles = [new Lock(), new Value('i32', 1), new Queue()];
const buffers = [new SharedArrayBuffer(16), new SharedArrayBuffer(8)];
const views = [new Int32Array(buffers[0], 4, 2), new DataView(buffers[1], 1, 3)];
const shared = [...handles, ...buffers, ...views];

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 9 : 14));
  switch (pick) {
    case 0: return Math.floor(r() * 2 ** 31) * (r() < 0.5 ? -1 : 1);
    case 1: return [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, 0.1 + 0.2][Math.floor(r() * 7)];
    case 2: return Array.from({ length: Math.floor(r() * 8) }, () => String.fromCodePoint(Math.floor(r() * 0x2ffff))).join('');
    case 3: return BigInt(Math.floor(r() * 2 ** 40)) ** BigInt(1 + Math.floor(r() * 3)) * (r() < 0.5 ? -1n : 1n);
    case 4: return r() < 0.5;
    case 5: return r() < 0.5 ? null : undefined;
    case 6: return shared[Math.floor(r() * shared.length)];
    case 7: return new Date(Math.floor(r() * 2 ** 40));
    case 8: return new Uint8Array(Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 256)));
    case 9: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]));
    case 11: return new Map(Array.from({ length: Math.floor(r() * 3) }, (_, i) => [i, randomValue(r, depth + 1)]));
    case 12: return new Set(Array.from({ length: Math.floor(r() * 3) }, (_, i) => i * 7));
    default: return { nested: randomValue(r, depth + 1), list: [randomValue(r, depth + 1)] };
  }
}

/** Handles must come back as the very same wrappers: compare them by identity, the rest by value. */
function expectSame(got: unknown, want: unknown, path: string): void {
  if (handles.includes(want as never) || buffers.includes(want as never)) {
    expect(got, path).toBe(want);
    return;
  }
  if (views.includes(want as never)) {
    const view = want as ArrayBufferView;
    expect(got, path).toBeInstanceOf(view.constructor);
    const { buffer, byteOffset, byteLength } = got as ArrayBufferView;
    expect({ byteOffset, byteLength }, path).toEqual({ byteOffset: view.byteOffset, byteLength: view.byteLength });
    expect(buffer, path).toBe(view.buffer);
    return;
  }
  if (want instanceof Map) {
    expect(got, path).toBeInstanceOf(Map);
    for (const [k, v] of want) expectSame((got as Map<unknown, unknown>).get(k), v, `${path}.get(${String(k)})`);
    return;
  }
  if (Array.isArray(want) || (want !== null && typeof want === 'object' && Object.getPrototypeOf(want) === Object.prototype)) {
    expect(Object.keys(got as object), path).toEqual(Object.keys(want));
    for (const k of Object.keys(want)) expectSame((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(got, path).toEqual(want);
}

describe('item codec, random values', () => {
  test('400 random values come out of a queue equal, handles identical', () => {
    const q = new Queue();
    for (let seed = 1; seed <= 400; seed++) {
      const value = randomValue(rng(seed), 0);
      q.put(value);
      expectSame(q.get(), value, `seed ${seed}`);
    }
  });

  test('random values survive a round trip through another thread', () => {
    const out = new Queue();
    const back = new Queue();
    const values = Array.from({ length: 60 }, (_, i) => randomValue(rng(1000 + i), 0));
    const t = spawn((out: Queue, back: Queue, n: number) => {
      for (let i = 0; i < n; i++) back.put(out.get());
    }, out, back, values.length);
    for (const v of values) out.put(v);
    values.forEach((v, i) => expectSame(back.get({ timeout: 10_000 }), v, `value ${i}`));
    t.join(10_000);
  });
});
