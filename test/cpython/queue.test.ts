/**
 * Behaviours of CPython's `queue` module, ported to native-threads.
 *
 * Provenance: the behaviours tested here come from CPython 3.13's
 * Lib/test/test_queue.py: BaseQueueTestMixin (basic use, blocking put/get,
 * task_done/join, nowait, negative timeouts, and the 3.13 shutdown tests) for
 * the Queue, LifoQueue and PriorityQueue variants; FailingQueueTest (adapted,
 * see below); BaseSimpleQueueTest. The tests are written anew for this package;
 * no CPython code is copied.
 *
 * Licence: the tested behaviours are derived from CPython's test suite,
 * Copyright © 2001 Python Software Foundation; All Rights Reserved, used under
 * the PSF License Agreement (https://docs.python.org/3/license.html).
 *
 * Deviations that JavaScript (or this package's API) forces:
 * - Timeouts are milliseconds; keyword arguments are option objects
 *   (`put(x, block=0)` is `put(x, { block: false })`, `get(True, 10)` is
 *   `get({ timeout: 10_000 })`).
 * - ValueError is RangeError (task_done called too often, a negative timeout) or
 *   TypeError. A timeout of -1 means "wait forever" in JS, so the negative
 *   timeout tested is -2.
 * - Targets cannot close over variables: CPython's `self.cum` + `cumlock` is an
 *   atomic Value, results come back as thread return values or through Queues.
 * - CPython's "blocking test" (a trigger thread sleeps 0.1 s, then unblocks the
 *   caller) keeps its shape: the trigger sleeps 30 ms and flags a Value before it
 *   acts, and the blocked call must not have returned before the flag was set.
 *   Calls that would block forever on a broken implementation are made in a
 *   thread joined with a bound (`callInThread`), or with a long timeout.
 * - FailingQueue overrides the private `_put`/`_get` to make them throw. Those
 *   hooks do not exist here (the queue lives in shared memory or in Rust); the
 *   same guarantee — a put that fails leaves the queue undamaged — is tested
 *   with puts that really fail: an item that cannot be cloned (and, for a
 *   PriorityQueue, one that cannot be compared). A get cannot be made to fail.
 * - `maxsize` is read-only, so test_shrinking_queue is not ported; SimpleQueue
 *   items are copies, so test_references and test_reentrancy (GC callbacks)
 *   have no equivalent. The Python/C implementation split (PyQueueTest,
 *   CQueueTest) is replaced by the two backends, each run of this file testing one.
 * - SimpleQueue has `shutdown` here (Python 3.13's does not): tested as the
 *   API documents it.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  Empty, Full, LifoQueue, PriorityQueue, Queue, ShutDown, SimpleQueue, Value, prestart, sleep, type ThreadFunction,
} from 'native-threads';
import {
  WAIT, WINDOW, bunch, callInThread, collect, joinAll, start, startWith,
} from './support.js';

beforeAll(async () => {
  await prestart(10);
});

const QUEUE_SIZE = 5;

/**
 * CPython's do_blocking_test with the block in this thread: `trigger(fired,
 * ...args)` runs in another thread, sleeps, sets `fired` and unblocks `block`,
 * which must not have returned before that.
 */
function blockedHere<T>(block: () => T, trigger: ThreadFunction, ...args: unknown[]): T {
  const fired = new Value('i32', 0);
  const t = startWith(trigger, [fired, ...args]);
  const result = block();
  const firedBeforeReturn = fired.value;
  joinAll([t]);
  expect(firedBeforeReturn).toBe(1);
  return result;
}

/** The same with the block in another thread (so it can have no timeout) and the trigger here. */
function blockedInThread(block: ThreadFunction, args: unknown[], trigger: () => void): unknown {
  const t = startWith(block, args);
  sleep(WINDOW);
  expect(t.isAlive()).toBe(true);
  trigger();
  return joinAll([t])[0];
}

const getLater = async (fired: Value, q: Queue<unknown>) => {
  const { sleep } = await import('native-threads');
  sleep(30);
  fired.value = 1;
  return q.get({ timeout: 10_000 });
};

const putLater = async (fired: Value, q: Queue<unknown>, item: unknown) => {
  const { sleep } = await import('native-threads');
  sleep(30);
  fired.value = 1;
  q.put(item, { timeout: 10_000 });
};

/** Calls q.join() in another thread and fails if it does not return within WAIT. */
function joinQueue(q: Queue<unknown>): void {
  expect(callInThread(q, 'join')).toEqual(['ok', undefined]);
}

const variants = [
  ['Queue', (...a: [number?]): Queue<unknown> => new Queue(...a), [111, 333, 222]],
  ['LifoQueue', (...a: [number?]): Queue<unknown> => new LifoQueue(...a), [222, 333, 111]],
  ['PriorityQueue', (...a: [number?]): Queue<unknown> => new PriorityQueue(...a), [111, 222, 333]],
] as const;

describe.each(variants)('%s (BaseQueueTestMixin)', (_name, make, order) => {
  function basicQueueTest(q: Queue<unknown>): void {
    expect(q.qsize()).toBe(0);
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
    q.put(111);
    q.put(333);
    q.put(222);
    expect([q.get(), q.get(), q.get()]).toEqual(order);
    for (let i = 0; i < QUEUE_SIZE - 1; i++) {
      q.put(i);
      expect(q.qsize()).toBe(i + 1);
    }
    expect(q.full()).toBe(false);
    const last = 2 * QUEUE_SIZE;
    const full = 3 * 2 * QUEUE_SIZE;
    q.put(last);
    expect(q.full()).toBe(true);
    expect(q.empty()).toBe(false);
    expect(() => q.put(full, { block: false })).toThrow(Full);
    expect(() => q.put(full, { timeout: 10 })).toThrow(Full);
    expect(q.qsize()).toBe(QUEUE_SIZE);
    // A put on a full queue blocks until a get makes room: without a timeout
    // (in a thread), then with one (here).
    blockedInThread((q: Queue<unknown>, x: number) => q.put(x), [q, full], () => {
      q.get({ timeout: WAIT });
    });
    blockedHere(() => q.put(full, { timeout: WAIT }), getLater, q);
    expect(q.qsize()).toBe(QUEUE_SIZE);
    for (let i = 0; i < QUEUE_SIZE; i++) q.get();
    expect(q.qsize()).toBe(0);
    expect(q.empty()).toBe(true);
    expect(() => q.get({ block: false })).toThrow(Empty);
    expect(() => q.get({ timeout: 10 })).toThrow(Empty);
    // A get on an empty queue blocks until a put: without a timeout (in a
    // thread), then with one (here).
    expect(blockedInThread((q: Queue<unknown>) => q.get(), [q], () => q.put('empty'))).toBe('empty');
    expect(blockedHere(() => q.get({ timeout: WAIT }), putLater, q, 'empty')).toBe('empty');
    expect(q.qsize()).toBe(0);
  }

  test('basic use, twice on the same queue: order, qsize/empty/full, Full and Empty, blocking put and get', () => {
    const q = make(QUEUE_SIZE);
    expect(q.maxsize).toBe(QUEUE_SIZE);
    basicQueueTest(q);
    basicQueueTest(q);
  });

  test('taskDone on a queue with no unfinished task is a RangeError', () => {
    const q = make();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('join returns only once every item put has been marked done by the workers (twice), then taskDone is refused', () => {
    const q = make();
    const queueJoinTest = () => {
      const cum = new Value('i32', 0);
      const workers = bunch(2, (q: Queue<number>, cum: Value) => {
        for (;;) {
          const x = q.get({ timeout: 10_000 });
          if (x < 0) {
            q.taskDone();
            return;
          }
          cum.add(x);
          q.taskDone();
        }
      }, q as Queue<number>, cum);
      for (let i = 0; i < 100; i++) q.put(i);
      joinQueue(q);
      expect(cum.value).toBe(4950);
      q.put(-1);
      q.put(-1);
      joinQueue(q); // a queue can be joined again
      joinAll(workers);
    };
    queueJoinTest();
    queueJoinTest();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('a negative timeout (other than -1) is a RangeError for put and get', () => {
    const q = make(QUEUE_SIZE);
    expect(() => q.put(1, { timeout: -2 })).toThrow(RangeError);
    expect(() => q.get({ timeout: -2 })).toThrow(RangeError);
    expect(q.qsize()).toBe(0);
  });

  test('putNowait fills the queue then throws Full; getNowait empties it then throws Empty', () => {
    const q = make(QUEUE_SIZE);
    for (let i = 0; i < QUEUE_SIZE; i++) q.putNowait(1);
    expect(() => q.putNowait(1)).toThrow(Full);
    for (let i = 0; i < QUEUE_SIZE; i++) expect(q.getNowait()).toBe(1);
    expect(() => q.getNowait()).toThrow(Empty);
  });

  // --- shutdown (new in 3.13) ------------------------------------------------

  test('shutdown of an empty queue: put and get raise ShutDown', () => {
    const q = make();
    q.shutdown();
    expect(() => q.put('data')).toThrow(ShutDown);
    expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
  });

  test('shutdown of a non-empty queue: get still returns what is queued, then raises ShutDown', () => {
    const q = make();
    q.put('data');
    q.shutdown();
    expect(q.get({ timeout: WAIT })).toBe('data');
    expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
  });

  test('shutdown(immediate) drops what is queued: get raises ShutDown at once', () => {
    const q = make();
    q.put('data');
    q.shutdown(true);
    expect(q.qsize()).toBe(0);
    expect(q.empty()).toBe(true);
    expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
  });

  test('shutdown may be followed by shutdown(immediate), which then drops the items left', () => {
    const q = make();
    q.put('a');
    q.put('b');
    q.shutdown();
    q.shutdown(); // twice is fine
    expect(q.qsize()).toBe(2);
    q.shutdown(true);
    expect(q.qsize()).toBe(0);
    expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
    joinQueue(q);
  });

  test.each([false, true])('every method after shutdown(immediate=%s), in one thread', (immediate) => {
    const q = make(2);
    q.put('L');
    q.putNowait('O');
    q.shutdown(immediate);
    expect(() => q.put('E', { timeout: WAIT })).toThrow(ShutDown);
    expect(() => q.putNowait('W')).toThrow(ShutDown);
    expect(callInThread(q, 'put', 'E')).toEqual(['error', 'ShutDown']);
    if (immediate) {
      expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
      expect(() => q.getNowait()).toThrow(ShutDown);
      // The dropped items count as done.
      expect(() => q.taskDone()).toThrow(RangeError);
      joinQueue(q);
    } else {
      const got = [q.get({ timeout: WAIT }), q.getNowait()];
      expect([...got].sort()).toEqual(['L', 'O']);
      q.taskDone();
      q.taskDone();
      joinQueue(q);
      expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
      expect(() => q.getNowait()).toThrow(ShutDown);
      expect(callInThread(q, 'get', { timeout: 1000 })).toEqual(['error', 'ShutDown']);
    }
  });

  test.each([false, true])('a thread blocked in get on an empty queue gets ShutDown from shutdown(immediate=%s)', (immediate) => {
    const q = make();
    const result = blockedInThread((q: Queue<unknown>) => {
      try {
        return q.get();
      } catch (error) {
        return (error as Error).name;
      }
    }, [q], () => q.shutdown(immediate));
    expect(result).toBe('ShutDown');
  });

  test.each([false, true])('a thread blocked in put on a full queue gets ShutDown from shutdown(immediate=%s)', (immediate) => {
    const q = make(1);
    q.put(1);
    const result = blockedInThread((q: Queue<unknown>) => {
      try {
        q.put(2);
        return 'put';
      } catch (error) {
        return (error as Error).name;
      }
    }, [q], () => q.shutdown(immediate));
    expect(result).toBe('ShutDown');
    expect(q.qsize()).toBe(immediate ? 0 : 1);
  });

  test.each([false, true])('threads blocked in join end after shutdown(immediate=%s): at once if immediate, else when the items are done', (immediate) => {
    const q = make();
    q.put('Y');
    const joiners = bunch(2, (q: Queue<unknown>) => {
      q.join();
      return true;
    }, q);
    sleep(WINDOW);
    expect(joiners.every((t) => t.isAlive())).toBe(true);
    q.shutdown(immediate);
    if (immediate) {
      expect(() => q.getNowait()).toThrow(ShutDown);
    } else {
      sleep(WINDOW);
      expect(joiners.every((t) => t.isAlive())).toBe(true); // 'Y' is not done yet
      expect(q.get({ timeout: WAIT })).toBe('Y');
      q.taskDone();
    }
    expect(joinAll(joiners)).toEqual([true, true]);
  });

  test.each([false, true])('getters and joiners at work all end when the queue shuts down (immediate=%s)', (immediate) => {
    const q = make(2);
    q.put('Y');
    q.put('D');
    const go = new Queue<number>();
    const getters = bunch(2, (q: Queue<unknown>, go: Queue<number>) => {
      go.get({ timeout: 10_000 });
      try {
        const item = q.get({ timeout: 10_000 });
        q.taskDone();
        return item;
      } catch (error) {
        return (error as Error).name;
      }
    }, q, go);
    const joiners = bunch(2, (q: Queue<unknown>) => {
      q.join();
      return true;
    }, q);
    go.put(1);
    go.put(1);
    q.shutdown(immediate);
    const got = joinAll(getters) as string[];
    if (immediate) {
      for (const x of got) expect(['Y', 'D', 'ShutDown']).toContain(x);
      const items = got.filter((x) => x !== 'ShutDown');
      expect(new Set(items).size).toBe(items.length);
    } else {
      expect([...got].sort()).toEqual(['D', 'Y']);
    }
    expect(joinAll(joiners)).toEqual([true, true]);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test.each([false, true])('writers, readers and a joiner in many threads all end on shutdown(immediate=%s); a plain shutdown loses no item', (immediate) => {
    const q = make(4) as Queue<number>;
    const progress = new Value('i32', 0);
    const enough = new Queue<number>();
    const writers = [0, 1, 2].map((w) => start((q: Queue<number>, base: number) => {
      let count = 0;
      let sum = 0;
      for (let i = 0; ; i++) {
        try {
          q.put(base + i);
        } catch (error) {
          if ((error as Error).name === 'ShutDown') return [count, sum];
          throw error;
        }
        count++;
        sum += base + i;
      }
    }, q, w * 1_000_000));
    const readers = bunch(3, (q: Queue<number>, progress: Value, enough: Queue<number>) => {
      let count = 0;
      let sum = 0;
      for (;;) {
        let x: number;
        try {
          x = q.get();
        } catch (error) {
          if ((error as Error).name === 'ShutDown') return [count, sum];
          throw error;
        }
        count++;
        sum += x;
        q.taskDone();
        if (progress.add(1) === 199) enough.put(1);
      }
    }, q, progress, enough);
    const joiner = start((q: Queue<number>) => {
      q.join();
      return true;
    }, q);
    enough.get({ timeout: WAIT });
    q.shutdown(immediate);
    const wrote = joinAll(writers) as [number, number][];
    const read = joinAll(readers) as [number, number][];
    expect(joinAll([joiner])).toEqual([true]);
    const total = (xs: [number, number][]) => xs.reduce(([c, s], [c2, s2]) => [c + c2, s + s2], [0, 0]);
    const [putCount, putSum] = total(wrote);
    const [gotCount, gotSum] = total(read);
    expect(gotCount).toBeGreaterThanOrEqual(200);
    if (immediate) {
      expect(gotCount).toBeLessThanOrEqual(putCount);
    } else {
      expect(gotCount).toBe(putCount);
      expect(gotSum).toBe(putSum);
    }
    expect(q.qsize()).toBe(0);
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  // --- FailingQueueTest, adapted --------------------------------------------

  test('a put that fails (an item that cannot be cloned) leaves the queue undamaged: size, fullness, blocked getters, unfinished tasks', () => {
    const q = make(QUEUE_SIZE);
    const bad = () => 'a function cannot cross threads';
    let puts = 0;
    const put = (x: unknown) => {
      q.put(x, { timeout: WAIT });
      puts++;
    };
    for (let i = 0; i < QUEUE_SIZE - 1; i++) put(i);
    expect(() => q.put(bad, { block: false })).toThrow(TypeError);
    expect(() => q.put(bad, { timeout: 100 })).toThrow(TypeError);
    expect(q.qsize()).toBe(QUEUE_SIZE - 1);
    put(10);
    expect(q.full()).toBe(true);
    // On a full queue, a failing put fails at once rather than waiting for room.
    expect(() => q.put(bad, { timeout: WAIT })).toThrow(TypeError);
    expect(q.qsize()).toBe(QUEUE_SIZE);
    q.get();
    expect(q.full()).toBe(false);
    put(10);
    expect(q.full()).toBe(true);
    blockedHere(() => put(20), getLater, q);
    for (let i = 0; i < QUEUE_SIZE; i++) q.get();
    expect(q.empty()).toBe(true);
    // A failing put does not wake a blocked getter with nothing.
    const getter = start((q: Queue<unknown>) => q.get({ timeout: 10_000 }), q);
    sleep(WINDOW);
    expect(() => q.put(bad)).toThrow(TypeError);
    sleep(WINDOW);
    expect(getter.isAlive()).toBe(true);
    put(7);
    expect(joinAll([getter])).toEqual([7]);
    expect(q.qsize()).toBe(0);
    // Failed puts added no unfinished task.
    for (let i = 0; i < puts; i++) q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
    joinQueue(q);
  });
});

describe('PriorityQueue (FailingQueueTest, adapted)', () => {
  test('a put of an item that cannot be compared with those queued fails and changes nothing', () => {
    const q = new PriorityQueue<unknown>(QUEUE_SIZE);
    q.put(3);
    q.put(1);
    expect(() => q.put('two')).toThrow(TypeError);
    expect(() => q.put([2])).toThrow(TypeError);
    expect(() => q.put({ priority: 2 })).toThrow(TypeError);
    expect(q.qsize()).toBe(2);
    q.put(2);
    expect([q.get(), q.get(), q.get()]).toEqual([1, 2, 3]);
    // Once empty, another kind of item is welcome.
    q.put('two');
    expect(q.get()).toBe('two');
  });
});

// ---------------------------------------------------------------------------
// BaseSimpleQueueTest
// ---------------------------------------------------------------------------

describe('SimpleQueue (BaseSimpleQueueTest)', () => {
  test('basic use: put, putNowait, get in its forms, qsize and empty, Empty when there is nothing', () => {
    const q = new SimpleQueue<number>();
    expect(q.empty()).toBe(true);
    expect(q.qsize()).toBe(0);
    q.put(1);
    expect(q.empty()).toBe(false);
    expect(q.qsize()).toBe(1);
    q.put(2);
    q.putNowait(3);
    q.put(4);
    expect(q.qsize()).toBe(4);
    expect(q.get()).toBe(1);
    expect(q.qsize()).toBe(3);
    expect(q.getNowait()).toBe(2);
    expect(q.qsize()).toBe(2);
    expect(q.get({ block: false })).toBe(3);
    expect(q.qsize()).toBe(1);
    expect(q.get({ timeout: 100 })).toBe(4);
    expect(q.empty()).toBe(true);
    expect(q.qsize()).toBe(0);
    expect(() => q.get({ block: false })).toThrow(Empty);
    expect(() => q.get({ timeout: 1 })).toThrow(Empty);
    expect(() => q.getNowait()).toThrow(Empty);
    expect(q.empty()).toBe(true);
    expect(q.qsize()).toBe(0);
  });

  test('a negative timeout (other than -1) is a RangeError', () => {
    const q = new SimpleQueue<number>();
    q.put(1);
    expect(() => q.get({ timeout: -2 })).toThrow(RangeError);
    expect(q.qsize()).toBe(1);
  });

  test('put never blocks: block and timeout are accepted and ignored', () => {
    const q = new SimpleQueue<number>();
    q.put(1, { block: false });
    q.put(2, { timeout: 5 });
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    expect(q.qsize()).toBe(1002);
  });

  test('it has no bound and no task tracking', () => {
    const q = new SimpleQueue() as unknown as Record<string, unknown>;
    for (const name of ['taskDone', 'join', 'full', 'maxsize']) expect(q[name]).toBeUndefined();
  });

  const feed = (q: SimpleQueue<number | null>, from: number, to: number) => {
    for (let i = from; i < to; i++) q.put(i);
    q.put(null);
  };

  const consume = (q: SimpleQueue<number | null>) => {
    const got: number[] = [];
    for (;;) {
      const x = q.get({ timeout: 10_000 });
      if (x === null) return got;
      got.push(x);
    }
  };

  const consumeNonblock = (q: SimpleQueue<number | null>) => {
    const got: number[] = [];
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 10_000;
    for (;;) {
      let x: number | null;
      for (;;) {
        try {
          x = q.get({ block: false });
          break;
        } catch (error) {
          if ((error as Error).name !== 'Empty') throw error;
          if (Date.now() > deadline) throw new Error('nothing came for 10 s');
          Atomics.wait(pause, 0, 0, 0.02);
        }
      }
      if (x === null) return got;
      got.push(x);
    }
  };

  const consumeTimeout = (q: SimpleQueue<number | null>) => {
    const got: number[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      let x: number | null;
      for (;;) {
        try {
          x = q.get({ timeout: 1 });
          break;
        } catch (error) {
          if ((error as Error).name !== 'Empty') throw error;
          if (Date.now() > deadline) throw new Error('nothing came for 10 s');
        }
      }
      if (x === null) return got;
      got.push(x);
    }
  };

  function runThreads(n: number, inputs: number, consumer: ThreadFunction): number[][] {
    const q = new SimpleQueue<number | null>();
    const per = inputs / n;
    const consumers = Array.from({ length: n }, () => startWith(consumer, [q]));
    const feeders = Array.from({ length: n }, (_, i) => start(feed, q, i * per, (i + 1) * per));
    joinAll(feeders);
    const results = joinAll(consumers) as number[][];
    expect(q.empty()).toBe(true);
    expect(q.qsize()).toBe(0);
    return results;
  }

  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  test('one producer and one consumer: every item arrives, in order', () => {
    expect(runThreads(1, 100, consume)).toEqual([range(100)]);
  });

  test('many producers and consumers with blocking gets: every item arrives exactly once', () => {
    const results = runThreads(4, 2000, consume);
    expect(results.flat().sort((a, b) => a - b)).toEqual(range(2000));
  });

  test('many producers and consumers with non-blocking gets: every item arrives exactly once', () => {
    const results = runThreads(2, 1000, consumeNonblock);
    expect(results.flat().sort((a, b) => a - b)).toEqual(range(1000));
  });

  test('many producers and consumers with timed gets: every item arrives exactly once', () => {
    const results = runThreads(2, 1000, consumeTimeout);
    expect(results.flat().sort((a, b) => a - b)).toEqual(range(1000));
  });

  test('shutdown: put raises ShutDown, get drains what is left and then raises ShutDown; immediate drops it', () => {
    const q = new SimpleQueue<string>();
    q.put('a');
    q.shutdown();
    expect(() => q.put('b')).toThrow(ShutDown);
    expect(q.get({ timeout: WAIT })).toBe('a');
    expect(callInThread(q, 'get')).toEqual(['error', 'ShutDown']);
    const r = new SimpleQueue<string>();
    r.put('a');
    r.shutdown(true);
    expect(r.qsize()).toBe(0);
    expect(callInThread(r, 'get')).toEqual(['error', 'ShutDown']);
  });

  test('shutdown wakes a thread blocked in get', () => {
    const q = new SimpleQueue<string>();
    const t = start((q: SimpleQueue<string>) => {
      try {
        return q.get();
      } catch (error) {
        return (error as Error).name;
      }
    }, q);
    sleep(WINDOW);
    q.shutdown();
    expect(joinAll([t])).toEqual(['ShutDown']);
  });
});
