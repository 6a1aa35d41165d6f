/**
 * Helpers shared by the tests ported from CPython's test suite (test/cpython/).
 *
 * CPython's lock_tests.py runs "a bunch" of threads that append to shared lists
 * and polls those lists with short sleeps. Targets here cannot close over
 * variables, so the same observations go through handles instead: a thread
 * reports through a Queue (`started.put(...)`) and returns its results (collected
 * by `joinAll`). Every wait is bounded: a thread that never ends, or an item that
 * never comes, fails the test after WAIT ms instead of hanging the run.
 *
 * Every thread started here is a daemon, so a test that fails with threads still
 * blocked cannot keep the test process alive.
 */
import { expect } from 'vitest';
import { Queue, Thread, sleep, type ThreadFunction } from 'native-threads';

/** The bound on any wait that is expected to succeed (ms). */
export const WAIT = 10_000;

/** A short pause before checking that blocked threads are still blocked (ms). */
export const WINDOW = 50;

/** Starts one daemon thread running `target(...args)`. */
export function start<F extends ThreadFunction>(target: F, ...args: Parameters<F>): Thread {
  return new Thread({ target, args, daemon: true }).start();
}

/** Starts `n` daemon threads, each running `target(...args)`. */
export function bunch<F extends ThreadFunction>(n: number, target: F, ...args: Parameters<F>): Thread[] {
  return Array.from({ length: n }, () => start(target, ...args));
}

/**
 * Joins every thread (at most WAIT ms each) and returns what their targets
 * returned, in order. A thread still alive after that is a failure; a target
 * that threw rethrows here.
 */
export function joinAll(threads: Thread[], bound = WAIT): unknown[] {
  return threads.map((t) => {
    const result = t.join(bound);
    if (t.isAlive()) throw new Error(`${t.name} is still alive after ${bound} ms: it hangs`);
    return result;
  });
}

/** Starts one thread, joins it (bounded) and returns its result. */
export function run<F extends ThreadFunction>(target: F, ...args: Parameters<F>): unknown {
  return joinAll([start(target, ...args)])[0];
}

/** Takes `n` items from `q`, waiting at most WAIT ms for each. */
export function collect<T>(q: Queue<T>, n: number, bound = WAIT): T[] {
  const items: T[] = [];
  for (let i = 0; i < n; i++) {
    try {
      items.push(q.get({ timeout: bound }));
    } catch (error) {
      throw new Error(`expected ${n} items, got ${i} within ${bound} ms (${(error as Error).name})`);
    }
  }
  return items;
}

/**
 * Waits WINDOW ms, then returns how many items `q` holds. Used, as CPython's
 * `_wait()`, to check that threads which should be blocked have not moved on:
 * nothing can tell that a thread is parked, so this only gives a broken
 * implementation the time to show itself.
 */
export function afterWindow(q: Queue<unknown>, ms = WINDOW): number {
  sleep(ms);
  return q.qsize();
}

/** Milliseconds spent in `fn`, with its result. */
export function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const result = fn();
  return [result, performance.now() - t0];
}

/** Blocks the main thread until `predicate()` holds, polling; fails after `bound` ms. */
export function until(predicate: () => boolean, what: string, bound = WAIT): void {
  const deadline = Date.now() + bound;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${bound} ms waiting for ${what}`);
    sleep(1);
  }
}

/** Resolves when `predicate()` holds (polling the event loop); rejects after `bound` ms. */
export async function eventually(predicate: () => boolean, what: string, bound = WAIT): Promise<void> {
  const deadline = Date.now() + bound;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${bound} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A timed-out wait took about `timeout` ms: not much less (0.8×, as CPython's
 * assertTimeout allows 0.6×), and not absurdly more (a noisy 2-core VM).
 */
export function expectTimedOut(elapsed: number, timeout: number): void {
  expect(elapsed).toBeGreaterThanOrEqual(timeout * 0.8);
  expect(elapsed).toBeLessThan(timeout + 5_000);
}

/** Starts one daemon thread with loosely typed arguments. */
export function startWith(target: ThreadFunction, args: unknown[]): Thread {
  return new Thread({ target, args, daemon: true }).start();
}

/**
 * Calls `obj[method](...args)` in another thread (bounded by WAIT), so that a call
 * which must not block (a get on a shut-down queue, a join with nothing left to
 * do) cannot hang the test if it does. Returns ['ok', result] or ['error', name].
 */
export function callInThread(obj: object, method: string, ...args: unknown[]): ['ok', unknown] | ['error', string] {
  const t = startWith((o: Record<string, (...a: unknown[]) => unknown>, m: string, a: unknown[]) => {
    try {
      return ['ok', o[m](...a)];
    } catch (error) {
      return ['error', (error as Error).name];
    }
  }, [obj, method, args]);
  return joinAll([t])[0] as ['ok', unknown] | ['error', string];
}
