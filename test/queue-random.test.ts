/**
 * Queues of every flavor under random operation sequences, through the public
 * API on the backend under test (crate/tests/random_ops.rs does the same for the
 * crate alone): put and get without waiting or with a short timeout, taskDone,
 * join once every task is done, and now and then shutdown (immediate or not),
 * each checked step by step against a plain model. Seeded: a failure names its
 * flavor, seed and step.
 */
import { describe, expect, test } from 'vitest';
import { Empty, Full, LifoQueue, PriorityQueue, Queue, ShutDown, SimpleQueue } from 'native-threads';

type Flavor = 'fifo' | 'lifo' | 'priority' | 'simple';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function make(flavor: Flavor, maxsize: number): Queue<number> | SimpleQueue<number> {
  switch (flavor) {
    case 'fifo': return new Queue<number>(maxsize);
    case 'lifo': return new LifoQueue<number>(maxsize);
    case 'priority': return new PriorityQueue<number>(maxsize);
    case 'simple': return new SimpleQueue<number>();
  }
}

/** What `fn` threw (its class), or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

async function run(flavor: Flavor, seed: number, steps: number): Promise<void> {
  const r = rng(seed);
  const maxsize = flavor === 'simple' ? 0 : r(4);
  const q = make(flavor, maxsize);
  const items: number[] = [];
  let unfinished = 0;
  let shutDown = false;
  let next = 0;
  const nextOut = (): number | undefined =>
    flavor === 'lifo' ? items.at(-1) : flavor === 'priority' ? (items.length === 0 ? undefined : Math.min(...items)) : items[0];
  for (let step = 0; step < steps; step++) {
    const at = `${flavor} seed ${seed} step ${step}`;
    // Mostly no wait; now and then a 1 ms timeout, which must expire when the model says it would block.
    const wait = r(8) === 0 ? { timeout: 1 } : { block: false };
    const op = r(10);
    if (op <= 4) {
      // Distinct values in no particular order, so priority order is total and not FIFO.
      const v = Math.imul(++next, 0x9e3779b1) >>> 0;
      const got = outcome(() => q.put(v, wait));
      if (shutDown) expect(got, at).toBe(ShutDown.name);
      else if (maxsize > 0 && items.length >= maxsize) expect(got, at).toBe(Full.name);
      else {
        expect(got, at).toBe('ok');
        items.push(v);
        if (flavor !== 'simple') unfinished++;
      }
    } else if (op <= 7) {
      let value: number | undefined;
      const got = outcome(() => (value = q.get(wait)));
      const want = nextOut();
      if (want !== undefined) {
        expect([got, value], at).toEqual(['ok', want]);
        items.splice(items.indexOf(want), 1);
      } else {
        expect(got, at).toBe(shutDown ? ShutDown.name : Empty.name);
      }
    } else if (op === 8 && q instanceof Queue) {
      expect(outcome(() => q.taskDone()), at).toBe(unfinished === 0 ? RangeError.name : 'ok');
      unfinished = Math.max(0, unfinished - 1);
      // join() returns at once when every task is done; otherwise it would block (not tried).
      if (unfinished === 0) await q.joinAsync({ signal: AbortSignal.timeout(5_000) });
    } else if (r(20) === 0) {
      const immediate = r(2) === 0;
      q.shutdown(immediate);
      shutDown = true;
      if (immediate) {
        if (flavor !== 'simple') unfinished = Math.max(0, unfinished - items.length);
        items.length = 0;
      }
    }
    expect(q.qsize(), `${at}: qsize`).toBe(items.length);
    expect(q.empty(), `${at}: empty`).toBe(items.length === 0);
    if (q instanceof Queue) expect(q.full(), `${at}: full`).toBe(maxsize > 0 && items.length >= maxsize);
  }
}

describe('queues under random operation sequences', () => {
  test.each(['fifo', 'lifo', 'priority', 'simple'] as const)('%s: every step matches the model', async (flavor) => {
    for (let seed = 1; seed <= 30; seed++) await run(flavor, seed * 2654435761, 250);
  });
});
