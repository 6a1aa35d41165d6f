/**
 * Handles: a backend object lives while some isolate's wrapper, or some item in
 * transit, still refers to it, and is freed after that.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { Lock, Queue, Value, spawn } from 'native-threads';
import type { Backend } from '../src/backend/types.js';

// The backend of the package's own module instance (dist/, which 'native-threads'
// resolves to), to count live objects.
const selectModule: string = '../dist/internal.js';
const { backend } = (await import(selectModule)) as { backend: Backend };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until the finalizers have run and the count settles at or below `target`. */
async function collectUntil(target: number): Promise<number> {
  let live = backend.liveObjects();
  for (let round = 0; round < 50 && live > target; round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    live = backend.liveObjects();
  }
  return live;
}

describe('handles', () => {
  test('objects are freed once no wrapper refers to them', async () => {
    const baseline = await collectUntil(0);
    (() => {
      for (let i = 0; i < 3000; i++) {
        new Lock();
        new Value('i32', i);
        new Queue();
      }
    })();
    expect(backend.liveObjects()).toBeGreaterThanOrEqual(baseline + 9000);
    expect(await collectUntil(baseline)).toBeLessThanOrEqual(baseline);
  });

  test('an item in a queue keeps its handle alive after every wrapper is gone', async () => {
    const q = new Queue();
    (() => {
      const lock = new Lock();
      lock.acquire();
      q.put({ lock });
    })();
    const baseline = await collectUntil(0);
    expect(baseline).toBeGreaterThan(0);
    const { lock } = q.get() as { lock: Lock };
    expect(lock.locked()).toBe(true);
    lock.release();
  });

  test('a queue freed with items still in it releases the handles inside them', async () => {
    const before = await collectUntil(0);
    (() => {
      const q = new Queue();
      for (let i = 0; i < 100; i++) q.put([new Lock(), { v: new Value() }]);
    })();
    expect(await collectUntil(before)).toBeLessThanOrEqual(before);
  });

  test('a handle sent to a thread and back is the same wrapper here', () => {
    const lock = new Lock();
    expect(spawn((l: Lock) => l, lock).join()).toBe(lock);
  });
});
