/**
 * Behaviours of CPython's synchronisation primitives, ported to native-threads.
 *
 * Provenance: the behaviours tested here come from CPython 3.13's
 * Lib/test/lock_tests.py (BaseLockTests, LockTests, RLockTests, EventTests,
 * ConditionTests, BaseSemaphoreTests, SemaphoreTests, BoundedSemaphoreTests,
 * BarrierTests) and ThreadTests.test_BoundedSemaphore_limit of
 * Lib/test/test_threading.py. The tests are written anew for this package; no
 * CPython code is copied.
 *
 * Licence: the tested behaviours are derived from CPython's test suite,
 * Copyright © 2001 Python Software Foundation; All Rights Reserved, used under
 * the PSF License Agreement (https://docs.python.org/3/license.html).
 *
 * Deviations that JavaScript (or this package's API) forces:
 * - Timeouts are milliseconds (CPython: seconds); CPython's 0.5 s waits are 100 ms
 *   here, and elapsed times are checked with generous bounds (≥ 0.8× the timeout,
 *   < timeout + 5 s) instead of CPython's 0.6×..10×.
 * - Keyword arguments are option objects: `acquire(False)` is
 *   `acquire({ blocking: false })`, `acquire(timeout=t)` is `acquire({ timeout: t })`.
 * - ValueError is RangeError (negative timeout, negative semaphore value,
 *   BoundedSemaphore over-release, parties < 1) or TypeError (a timeout with
 *   blocking: false; a non-number). RuntimeError is ThreadError.
 * - Timeout -1 means "wait forever" (JS convention), so the invalid negative
 *   timeout tested is -100 as in CPython, and OverflowError for huge timeouts has
 *   no equivalent: a huge finite timeout must simply work.
 * - `with lock:` is `lock.with(fn)`.
 * - Targets cannot close over variables: CPython's shared result lists and
 *   `phase_num` become Queues, Values and return values (see ./support.ts), and
 *   "the threads have started" is a Queue item, not a polled list.
 * - Not ported (no such API): repr, weakrefs, `_is_owned`, `_release_save`,
 *   `_recursion_count`, `_at_fork_reinit`, `_reset_internal_locks`, the Barrier
 *   `action` callback. Their observable parts (ownership, recursion levels) are
 *   tested through the public API instead.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Lock, Queue, RLock, Semaphore, ThreadError, Value,
  activeCount, enumerate, prestart,
} from 'native-threads';
import {
  WAIT, afterWindow, bunch, collect, expectTimedOut, joinAll, run, start, timed, until,
} from './support.js';

beforeAll(async () => {
  await prestart(12);
});

type Mutex = Lock | RLock;

// ---------------------------------------------------------------------------
// BaseLockTests: what Lock and RLock share
// ---------------------------------------------------------------------------

describe.each([
  ['Lock', (): Mutex => new Lock()],
  ['RLock', (): Mutex => new RLock()],
] as const)('%s (BaseLockTests)', (_name, make) => {
  test('a new lock is unlocked, and can be acquired and released', () => {
    const lock = make();
    expect(lock.locked()).toBe(false);
    expect(lock.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test('a non-blocking acquire of a free lock succeeds', () => {
    const lock = make();
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.locked()).toBe(true);
    lock.release();
  });

  test('a non-blocking acquire from another thread fails while the lock is held', () => {
    const lock = make();
    lock.acquire();
    expect(run((l: Mutex) => l.acquire({ blocking: false }), lock)).toBe(false);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test('threads blocked in acquire wait until the holder releases, then all get through', () => {
    const lock = make();
    lock.acquire();
    const started = new Queue<number>();
    const done = new Queue<number>();
    const threads = bunch(5, (l: Mutex, started: Queue<number>, done: Queue<number>) => {
      started.put(1);
      if (!l.acquire({ timeout: 10_000 })) throw new Error('acquire timed out');
      l.release();
      done.put(1);
    }, lock, started, done);
    collect(started, 5);
    expect(afterWindow(done)).toBe(0);
    expect(threads.every((t) => t.isAlive())).toBe(true);
    lock.release();
    joinAll(threads);
    expect(done.qsize()).toBe(5);
    expect(lock.locked()).toBe(false);
  });

  test('with() holds the lock and releases it on return and when the function throws', () => {
    const lock = make();
    const tryFromThread = (l: Mutex) => {
      const got = l.acquire({ blocking: false });
      if (got) l.release();
      return got;
    };
    expect(lock.with(() => run(tryFromThread, lock))).toBe(false);
    expect(run(tryFromThread, lock)).toBe(true);
    expect(() => lock.with(() => {
      throw new TypeError('raised inside with');
    })).toThrow(TypeError);
    expect(run(tryFromThread, lock)).toBe(true);
    expect(lock.locked()).toBe(false);
  });

  test('threads that used the lock leave nothing behind in enumerate()', () => {
    const lock = make();
    const before = enumerate().length;
    expect(activeCount()).toBe(before);
    joinAll(bunch(12, (l: Mutex) => {
      l.acquire();
      l.release();
    }, lock));
    expect(enumerate().length).toBe(before);
    expect(activeCount()).toBe(before);
  });

  test('timeouts: invalid ones are rejected; a timed acquire succeeds at once when free and fails after the timeout when held', () => {
    const lock = make();
    expect(() => lock.acquire({ blocking: false, timeout: 1000 })).toThrow(TypeError);
    expect(() => lock.acquire({ timeout: -100 })).toThrow(RangeError);
    expect(lock.locked()).toBe(false);
    // A huge timeout (CPython's TIMEOUT_MAX) is accepted.
    expect(lock.acquire({ timeout: 2 ** 40 })).toBe(true);
    lock.release();
    const [ok, took] = timed(() => lock.acquire({ timeout: 5_000 }));
    expect(ok).toBe(true);
    expect(took).toBeLessThan(5_000);
    const [got, waited] = run((l: Mutex) => {
      const t0 = performance.now();
      const got = l.acquire({ timeout: 100 });
      return [got, performance.now() - t0];
    }, lock) as [boolean, number];
    expect(got).toBe(false);
    expectTimedOut(waited, 100);
    lock.release();
  });
});

// ---------------------------------------------------------------------------
// LockTests: the plain, ownerless lock
// ---------------------------------------------------------------------------

describe('Lock (LockTests)', () => {
  test('acquiring a held Lock again blocks, even in the thread that holds it, until someone releases it', () => {
    const lock = new Lock();
    const phase = new Queue<number>();
    const t = start((l: Lock, phase: Queue<number>) => {
      l.acquire();
      phase.put(1);
      if (!l.acquire({ timeout: 10_000 })) throw new Error('second acquire timed out');
      phase.put(2);
    }, lock, phase);
    expect(phase.get({ timeout: WAIT })).toBe(1);
    expect(afterWindow(phase)).toBe(0);
    expect(t.isAlive()).toBe(true);
    lock.release();
    expect(phase.get({ timeout: WAIT })).toBe(2);
    joinAll([t]);
    expect(lock.locked()).toBe(true);
  });

  test('a Lock held by one thread can be released by another', () => {
    const lock = new Lock();
    lock.acquire();
    run((l: Lock) => l.release(), lock);
    expect(lock.locked()).toBe(false);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });

  test('after a timed-out acquire the lock is in a proper state', () => {
    const lock = new Lock();
    lock.acquire();
    expect(lock.acquire({ timeout: 10 })).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });

  test('releasing an unlocked Lock is a ThreadError', () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(ThreadError);
    lock.acquire();
    lock.release();
    expect(() => lock.release()).toThrow(ThreadError);
    expect(lock.locked()).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// RLockTests: the re-entrant, owned lock
// ---------------------------------------------------------------------------

describe('RLock (RLockTests)', () => {
  test('the owner may acquire it again; it stays held until released as many times', () => {
    const lock = new RLock();
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    expect(lock.locked()).toBe(true);
    expect(run((l: RLock) => l.acquire({ blocking: false }), lock)).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(run((l: RLock) => {
      const got = l.acquire({ blocking: false });
      if (got) l.release();
      return got;
    }, lock)).toBe(true);
  });

  test('releasing an RLock that is not held is a ThreadError, also once every level is released', () => {
    const lock = new RLock();
    expect(() => lock.release()).toThrow(ThreadError);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
    expect(() => lock.release()).toThrow(ThreadError);
    expect(lock.locked()).toBe(false);
  });

  test('the recursion level counts every acquire: n acquires need n releases', () => {
    const lock = new RLock();
    for (let i = 0; i < 3; i++) expect(lock.acquire()).toBe(true);
    lock.release();
    lock.release();
    expect(lock.locked()).toBe(true);
    expect(run((l: RLock) => l.acquire({ blocking: false }), lock)).toBe(false);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(ThreadError);
  });

  test('a thread that does not own the RLock cannot release it, and the failed release changes nothing', () => {
    const lock = new RLock();
    const held = new Queue<boolean>();
    const gate = new Queue<string>();
    const t = start((l: RLock, held: Queue<boolean>, gate: Queue<string>) => {
      l.acquire();
      held.put(true);
      gate.get({ timeout: 10_000 });
      l.release();
    }, lock, held, gate);
    expect(held.get({ timeout: WAIT })).toBe(true);
    expect(() => lock.release()).toThrow(ThreadError);
    expect(lock.locked()).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(false);
    gate.put('go');
    joinAll([t]);
    expect(lock.locked()).toBe(false);
  });

  test('ownership: the owner re-enters without blocking while another thread is refused', () => {
    const lock = new RLock();
    expect(run((l: RLock) => l.locked(), lock)).toBe(false);
    lock.acquire();
    expect(run((l: RLock) => [l.locked(), l.acquire({ blocking: false })], lock)).toEqual([true, false]);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
    lock.release();
    expect(run((l: RLock) => l.locked(), lock)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// EventTests
// ---------------------------------------------------------------------------

describe('Event (EventTests)', () => {
  test('isSet follows set and clear, which are idempotent', () => {
    const evt = new Event();
    expect(evt.isSet()).toBe(false);
    evt.set();
    expect(evt.isSet()).toBe(true);
    evt.set();
    expect(evt.isSet()).toBe(true);
    evt.clear();
    expect(evt.isSet()).toBe(false);
    evt.clear();
    expect(evt.isSet()).toBe(false);
  });

  test('set wakes every waiting thread, and waits on a set event return true at once; again after a clear', () => {
    const evt = new Event();
    const checkNotify = () => {
      const started = new Queue<number>();
      const threads = bunch(5, (e: Event, started: Queue<number>) => {
        started.put(1);
        const first = e.wait(10_000);
        const second = e.wait(10_000);
        return [first, second];
      }, evt, started);
      collect(started, 5);
      expect(afterWindow(started)).toBe(0);
      expect(threads.every((t) => t.isAlive())).toBe(true);
      evt.set();
      expect(joinAll(threads)).toEqual(Array(5).fill([true, true]));
    };
    checkNotify();
    evt.set();
    evt.clear();
    checkNotify();
  });

  test('wait with a timeout returns false after the timeout while unset, true while set', () => {
    const evt = new Event();
    const waiter = (e: Event) => {
      const immediate = e.wait(0);
      const t0 = performance.now();
      const timed = e.wait(100);
      return [immediate, timed, performance.now() - t0];
    };
    for (const [immediate, timedOut, waited] of joinAll(bunch(5, waiter, evt)) as [boolean, boolean, number][]) {
      expect(immediate).toBe(false);
      expect(timedOut).toBe(false);
      expectTimedOut(waited, 100);
    }
    evt.set();
    for (const [immediate, timedOut] of joinAll(bunch(5, waiter, evt)) as [boolean, boolean, number][]) {
      expect(immediate).toBe(true);
      expect(timedOut).toBe(true);
    }
  });

  test('a waiter woken by set returns true even if the event is cleared before it runs', () => {
    const evt = new Event();
    const started = new Queue<number>();
    const threads = bunch(5, (e: Event, started: Queue<number>) => {
      started.put(1);
      return e.wait(5_000);
    }, evt, started);
    collect(started, 5);
    // Give the threads time to park in wait(): nothing can observe that they have.
    afterWindow(started, 100);
    evt.set();
    evt.clear();
    expect(joinAll(threads)).toEqual(Array(5).fill(true));
    expect(evt.isSet()).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// ConditionTests
// ---------------------------------------------------------------------------

describe('Condition (ConditionTests)', () => {
  test('acquire/release: the default lock is re-entrant; a given Lock is the one taken', () => {
    const cond = new Condition();
    expect(cond.acquire()).toBe(true);
    expect(cond.acquire()).toBe(true);
    cond.release();
    cond.release();
    const lock = new Lock();
    const over = new Condition(lock);
    expect(over.lock).toBe(lock);
    over.acquire();
    expect(lock.acquire({ blocking: false })).toBe(false);
    over.release();
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(over.acquire({ blocking: false })).toBe(false);
    lock.release();
    over.with(() => {
      expect(lock.acquire({ blocking: false })).toBe(false);
    });
    expect(lock.locked()).toBe(false);
  });

  test('wait without holding the lock is a ThreadError', () => {
    expect(() => new Condition().wait()).toThrow(ThreadError);
    expect(() => new Condition(new Lock()).wait(10)).toThrow(ThreadError);
  });

  test('notify and notifyAll without holding the lock are ThreadErrors', () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow(ThreadError);
    expect(() => cond.notifyAll()).toThrow(ThreadError);
  });

  test('notify(n) wakes exactly n waiters, notifyAll the rest; a woken waiter sees the state set before the release (twice)', () => {
    const cond = new Condition();
    const checkNotify = () => {
      const phase = new Value('i32', 0);
      const started1 = new Queue<number>();
      const started2 = new Queue<number>();
      const results1 = new Queue<[boolean, number]>();
      const results2 = new Queue<[boolean, number]>();
      const threads = bunch(5, (c: Condition, phase: Value, s1: Queue<number>, s2: Queue<number>,
        r1: Queue<[boolean, number]>, r2: Queue<[boolean, number]>) => {
        // Each report is made holding the lock, just before wait() lets go of it:
        // once the main thread holds the lock after a report, that waiter waits.
        c.acquire();
        s1.put(1);
        const first = c.wait(10_000);
        r1.put([first, phase.value]);
        s2.put(1);
        const second = c.wait(10_000);
        r2.put([second, phase.value]);
        c.release();
      }, cond, phase, started1, started2, results1, results2);
      collect(started1, 5);
      cond.acquire(); // every waiter is in wait() now
      expect(results1.qsize()).toBe(0);
      cond.notify(3);
      phase.value = 1;
      cond.release();
      expect(collect(results1, 3)).toEqual(Array(3).fill([true, 1]));
      expect(afterWindow(results1)).toBe(0);
      expect(results2.qsize()).toBe(0);

      // Three threads are back in wait(), two never left their first one.
      collect(started2, 3);
      cond.acquire();
      cond.notify(5);
      phase.value = 2;
      cond.release();
      expect(collect(results1, 2)).toEqual(Array(2).fill([true, 2]));
      expect(collect(results2, 3)).toEqual(Array(3).fill([true, 2]));

      collect(started2, 2);
      cond.acquire();
      cond.notifyAll();
      phase.value = 3;
      cond.release();
      expect(collect(results2, 2)).toEqual(Array(2).fill([true, 3]));
      joinAll(threads);
    };
    checkNotify();
    checkNotify();
  });

  test('notify wakes the longest-waiting thread first', () => {
    const cond = new Condition(new Lock());
    const waiting = new Queue<number>();
    const woke = new Queue<number>();
    const threads = [0, 1, 2].map((i) => {
      const t = start((c: Condition, i: number, waiting: Queue<number>, woke: Queue<number>) => {
        c.acquire();
        waiting.put(i);
        const notified = c.wait(10_000);
        woke.put(notified ? i : -1);
        c.release();
      }, cond, i, waiting, woke);
      expect(waiting.get({ timeout: WAIT })).toBe(i);
      return t;
    });
    for (const i of [0, 1, 2]) {
      cond.with(() => cond.notify());
      expect(woke.get({ timeout: WAIT })).toBe(i);
    }
    joinAll(threads);
  });

  test('wait on a condition whose RLock is held twice releases both levels and takes both back', () => {
    const cond = new Condition(new RLock());
    cond.acquire();
    cond.acquire();
    const t = start((c: Condition) => c.with(() => c.notify()), cond);
    expect(cond.wait(WAIT)).toBe(true);
    joinAll([t]);
    cond.release();
    expect(run((c: Condition) => c.acquire({ blocking: false }), cond)).toBe(false);
    cond.release();
    expect(() => cond.release()).toThrow(ThreadError);
  });

  test('wait with a timeout and no notify returns false after the timeout, holding the lock again', () => {
    const cond = new Condition();
    const results = joinAll(bunch(5, (c: Condition) => {
      c.acquire();
      const t0 = performance.now();
      const notified = c.wait(100);
      const waited = performance.now() - t0;
      // wait() took the lock back: this thread may release it.
      c.release();
      return [notified, waited];
    }, cond)) as [boolean, number][];
    expect(results).toHaveLength(5);
    for (const [notified, waited] of results) {
      expect(notified).toBe(false);
      expectTimedOut(waited, 100);
    }
  });

  test('waitFor returns once the predicate holds, with its value, after notifies from another thread', () => {
    const cond = new Condition();
    const state = new Value('i32', 0);
    const t = start((c: Condition, state: Value) => c.with(() => {
      const result = c.waitFor(() => state.value === 4 && 'reached', 10_000);
      return [result, state.value];
    }), cond, state);
    for (let i = 0; i < 4; i++) {
      cond.with(() => {
        state.value += 1;
        cond.notify();
      });
    }
    expect(joinAll([t])[0]).toEqual(['reached', 4]);
  });

  test('waitFor with a timeout returns the false predicate value after the timeout when it never holds', () => {
    const cond = new Condition();
    const state = new Value('i32', 0);
    const t = start((c: Condition, state: Value) => c.with(() => {
      const t0 = performance.now();
      const result = c.waitFor(() => state.value === 4, 100);
      return [result, performance.now() - t0];
    }), cond, state);
    for (let i = 0; i < 3; i++) {
      cond.with(() => {
        state.value += 1;
        cond.notify();
      });
    }
    const [result, waited] = joinAll([t])[0] as [boolean, number];
    expect(result).toBe(false);
    expectTimedOut(waited, 100);
  });
});

// ---------------------------------------------------------------------------
// BaseSemaphoreTests: what Semaphore and BoundedSemaphore share
// ---------------------------------------------------------------------------

type AnySemaphore = Semaphore | BoundedSemaphore;

describe.each([
  ['Semaphore', (...n: [number?]): AnySemaphore => new Semaphore(...n)],
  ['BoundedSemaphore', (...n: [number?]): AnySemaphore => new BoundedSemaphore(...n)],
] as const)('%s (BaseSemaphoreTests)', (_name, make) => {
  test('a negative initial value is a RangeError', () => {
    expect(() => make(-1)).toThrow(RangeError);
    expect(() => make(-Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
    expect(() => make(1.5)).toThrow(RangeError);
    expect(() => make('2' as never)).toThrow(TypeError);
  });

  test('acquire takes one of the initial permits and release gives it back', () => {
    const one = make(1);
    expect(one.acquire()).toBe(true);
    one.release();
    const two = make(2);
    expect(two.acquire()).toBe(true);
    expect(two.acquire()).toBe(true);
    two.release();
    two.release();
  });

  const contended = (releaseAtOnce: boolean) => {
    const sem = make(7);
    sem.acquire();
    const phase = new Value('i32', 0);
    const results = new Queue<number>();
    const threads = bunch(10, (s: AnySemaphore, phase: Value, results: Queue<number>) => {
      for (let i = 0; i < 2; i++) {
        if (!s.acquire({ timeout: 10_000 })) throw new Error('acquire timed out');
        results.put(phase.value);
      }
    }, sem, phase, results);
    const release = (n: number) => {
      if (releaseAtOnce) sem.release(n);
      else for (let i = 0; i < n; i++) sem.release();
    };
    expect(collect(results, 6)).toEqual(Array(6).fill(0));
    expect(afterWindow(results)).toBe(0);
    phase.value = 1;
    release(7);
    expect(collect(results, 7)).toEqual(Array(7).fill(1));
    expect(afterWindow(results)).toBe(0);
    phase.value = 2;
    release(6);
    expect(collect(results, 6)).toEqual(Array(6).fill(2));
    // 19 of the 20 acquires went through: the semaphore is empty, one thread waits.
    expect(sem.acquire({ blocking: false })).toBe(false);
    sem.release();
    joinAll(threads);
  };

  test('contended: blocked acquirers get exactly as many permits as are released, one release at a time', () => {
    contended(false);
  });

  test('release(n) hands out n permits at once to n blocked acquirers', () => {
    contended(true);
  });

  test('a non-blocking acquire succeeds while permits remain and fails when none do', () => {
    const sem = make(2);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(false);
    sem.release();
    expect(sem.acquire({ blocking: false })).toBe(true);
  });

  test('non-blocking acquires from many threads take exactly the permits there are', () => {
    const sem = make(4);
    sem.acquire();
    const results = joinAll(bunch(5, (s: AnySemaphore) => [s.acquire({ blocking: false }), s.acquire({ blocking: false })], sem));
    const flat = (results as boolean[][]).flat();
    expect(flat.filter((x) => x)).toHaveLength(3);
    expect(flat.filter((x) => !x)).toHaveLength(7);
  });

  test('timed acquire: succeeds while permits remain, fails after the timeout when none do', () => {
    const sem = make(2);
    expect(() => sem.acquire({ blocking: false, timeout: 1000 })).toThrow(TypeError);
    expect(sem.acquire({ timeout: 5 })).toBe(true);
    expect(sem.acquire({ timeout: 5 })).toBe(true);
    expect(sem.acquire({ timeout: 5 })).toBe(false);
    sem.release();
    expect(sem.acquire({ timeout: 5 })).toBe(true);
    const [got, waited] = timed(() => sem.acquire({ timeout: 100 }));
    expect(got).toBe(false);
    expectTimedOut(waited, 100);
  });

  test('the default value is 1: a second acquirer blocks until the first releases', () => {
    const sem = make();
    sem.acquire();
    const started = new Queue<number>();
    const done = new Queue<number>();
    const t = start((s: AnySemaphore, started: Queue<number>, done: Queue<number>) => {
      started.put(1);
      if (!s.acquire({ timeout: 10_000 })) throw new Error('acquire timed out');
      s.release();
      done.put(1);
    }, sem, started, done);
    collect(started, 1);
    expect(afterWindow(done)).toBe(0);
    expect(t.isAlive()).toBe(true);
    sem.release();
    joinAll([t]);
    expect(done.qsize()).toBe(1);
  });

  test('with() takes a permit for the call and gives it back, also when the function throws', () => {
    const sem = make(2);
    const nested = (error?: Error) => sem.with(() => {
      expect(sem.acquire({ blocking: false })).toBe(true);
      sem.release();
      sem.with(() => {
        expect(sem.acquire({ blocking: false })).toBe(false);
        if (error) throw error;
      });
    });
    nested();
    expect(sem.acquire({ blocking: false })).toBe(true);
    sem.release();
    expect(() => nested(new TypeError('raised inside with'))).toThrow(TypeError);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(false);
  });

  test('release(n) with n below 1 is a RangeError and gives nothing', () => {
    const sem = make(1);
    sem.acquire();
    expect(() => sem.release(0)).toThrow(RangeError);
    expect(() => sem.release(-1)).toThrow(RangeError);
    expect(sem.acquire({ blocking: false })).toBe(false);
    sem.release();
  });
});

describe('Semaphore (SemaphoreTests)', () => {
  test('release beyond the initial value is allowed and adds a permit', () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(false);
    sem.release(3);
    for (let i = 0; i < 3; i++) expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(false);
  });

  test('a permit can be given back by a thread other than the one that took it', () => {
    const sem = new Semaphore(0);
    run((s: Semaphore) => s.release(), sem);
    expect(sem.acquire({ blocking: false })).toBe(true);
  });
});

describe('BoundedSemaphore (BoundedSemaphoreTests)', () => {
  test('release beyond the initial value is a RangeError', () => {
    const sem = new BoundedSemaphore();
    expect(() => sem.release()).toThrow(RangeError);
    sem.acquire();
    sem.release();
    expect(() => sem.release()).toThrow(RangeError);
  });

  test('a release(n) that would go past the initial value is refused whole', () => {
    const sem = new BoundedSemaphore(3);
    sem.acquire();
    expect(() => sem.release(2)).toThrow(RangeError);
    // Nothing was given back: still two permits, not three.
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(true);
    expect(sem.acquire({ blocking: false })).toBe(false);
    sem.release(3);
    expect(() => sem.release()).toThrow(RangeError);
  });

  test('acquired by some threads and released by others up to the limit, then a further release is refused', () => {
    for (const limit of [1, 3]) {
      const sem = new BoundedSemaphore(limit);
      expect(joinAll(bunch(limit, (s: BoundedSemaphore) => s.acquire({ timeout: 10_000 }), sem))).toEqual(Array(limit).fill(true));
      expect(sem.acquire({ blocking: false })).toBe(false);
      joinAll(bunch(limit, (s: BoundedSemaphore) => s.release(), sem));
      expect(() => sem.release()).toThrow(RangeError);
    }
  });
});

// ---------------------------------------------------------------------------
// BarrierTests
// ---------------------------------------------------------------------------

describe('Barrier (BarrierTests)', () => {
  const N = 5;

  test('parties must be a positive integer; a new barrier is empty and whole', () => {
    expect(() => new Barrier(0)).toThrow(RangeError);
    expect(() => new Barrier(-1)).toThrow(RangeError);
    expect(() => new Barrier(1.5)).toThrow(RangeError);
    expect(() => new Barrier('2' as never)).toThrow(TypeError);
    expect(() => new Barrier(2, { timeout: -5 })).toThrow(RangeError);
    const b = new Barrier(N);
    expect(b.parties).toBe(N);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
  });

  const lockstep = (b: Barrier, before: Value, after: Value, passes: number) => {
    const m = b.parties;
    const errors: string[] = [];
    for (let i = 0; i < passes; i++) {
      before.add(1);
      if (after.value !== i * m) errors.push(`pass ${i}: ${after.value} past the first wait, expected ${i * m}`);
      b.wait();
      after.add(1);
      if (before.value !== (i + 1) * m) errors.push(`pass ${i}: ${before.value} reached it, expected ${(i + 1) * m}`);
      b.wait();
    }
    return errors;
  };

  test.each([1, 10])('threads pass the barrier in lockstep (%i passes)', (passes) => {
    const b = new Barrier(N);
    try {
      const before = new Value('i32', 0);
      const after = new Value('i32', 0);
      const errors = joinAll(bunch(N, lockstep, b, before, after, passes)).flat();
      expect(errors).toEqual([]);
      expect(before.value).toBe(N * passes);
      expect(after.value).toBe(N * passes);
      expect(b.nWaiting).toBe(0);
      expect(b.broken).toBe(false);
    } finally {
      b.abort();
    }
  });

  test('wait returns each party a different index from 0 to parties-1', () => {
    const b = new Barrier(N);
    try {
      const indexes = joinAll(bunch(N, (b: Barrier) => b.wait(), b)) as number[];
      expect([...indexes].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      b.abort();
    }
  });

  test('abort breaks the barrier: every thread waiting on it gets BrokenBarrierError', () => {
    const b = new Barrier(N);
    try {
      const outcomes = joinAll(bunch(N, (b: Barrier, N: number) => {
        try {
          if (b.wait() === Math.floor(N / 2)) {
            b.abort();
            return 'aborted';
          }
          b.wait();
          return 'passed';
        } catch (error) {
          if ((error as Error).name === 'BrokenBarrierError') return 'broken';
          throw error;
        }
      }, b, N)) as string[];
      expect(outcomes.filter((x) => x === 'passed')).toHaveLength(0);
      expect(outcomes.filter((x) => x === 'broken')).toHaveLength(N - 1);
      expect(outcomes.filter((x) => x === 'aborted')).toHaveLength(1);
      expect(b.broken).toBe(true);
    } finally {
      b.abort();
    }
  });

  test('reset frees the waiting threads with BrokenBarrierError, and the barrier can be passed again', () => {
    const b = new Barrier(N);
    try {
      const outcomes = joinAll(bunch(N, async (b: Barrier, N: number) => {
        const { sleep } = await import('native-threads');
        let outcome: string;
        if (b.wait() === Math.floor(N / 2)) {
          const deadline = Date.now() + 10_000;
          while (b.nWaiting < N - 1) {
            if (Date.now() > deadline) throw new Error('the others never waited again');
            sleep(1);
          }
          b.reset();
          outcome = 'reset';
        } else {
          try {
            b.wait();
            outcome = 'passed';
          } catch (error) {
            if ((error as Error).name !== 'BrokenBarrierError') throw error;
            outcome = 'broken';
          }
        }
        b.wait();
        return outcome;
      }, b, N)) as string[];
      expect(outcomes.filter((x) => x === 'passed')).toHaveLength(0);
      expect(outcomes.filter((x) => x === 'broken')).toHaveLength(N - 1);
      expect(outcomes.filter((x) => x === 'reset')).toHaveLength(1);
      expect(b.broken).toBe(false);
      expect(b.nWaiting).toBe(0);
    } finally {
      b.abort();
    }
  });

  test('an aborted barrier can be reset and used again', () => {
    const b = new Barrier(N);
    const sync = new Barrier(N);
    try {
      const outcomes = joinAll(bunch(N, (b: Barrier, sync: Barrier, N: number) => {
        let outcome: string;
        try {
          if (b.wait() === Math.floor(N / 2)) {
            b.abort();
            outcome = 'aborted';
          } else {
            b.wait();
            outcome = 'passed';
          }
        } catch (error) {
          if ((error as Error).name !== 'BrokenBarrierError') throw error;
          outcome = 'broken';
        }
        // Everyone has left the broken barrier before the reset, and nobody
        // enters it again before the reset.
        if (sync.wait() === Math.floor(N / 2)) b.reset();
        sync.wait();
        b.wait();
        return outcome;
      }, b, sync, N)) as string[];
      expect(outcomes.filter((x) => x === 'passed')).toHaveLength(0);
      expect(outcomes.filter((x) => x === 'broken')).toHaveLength(N - 1);
      expect(b.broken).toBe(false);
    } finally {
      b.abort();
      sync.abort();
    }
  });

  test('a wait that times out breaks the barrier for everyone, the late thread included', () => {
    const b = new Barrier(N);
    try {
      const outcomes = joinAll(bunch(N, async (b: Barrier, N: number) => {
        const { sleep } = await import('native-threads');
        if (b.wait() === Math.floor(N / 2)) sleep(400); // one thread is late
        try {
          b.wait(100);
          return 'passed';
        } catch (error) {
          if ((error as Error).name === 'BrokenBarrierError') return 'broken';
          throw error;
        }
      }, b, N));
      expect(outcomes).toEqual(Array(N).fill('broken'));
      expect(b.broken).toBe(true);
    } finally {
      b.abort();
    }
  });

  test("the barrier's default timeout applies to a wait without one", () => {
    const sync = new Barrier(N);
    const b = new Barrier(N, { timeout: 100 });
    try {
      const outcomes = joinAll(bunch(N, async (sync: Barrier, b: Barrier, N: number) => {
        const { sleep } = await import('native-threads');
        if (sync.wait() === Math.floor(N / 2)) sleep(400); // later than the default timeout
        try {
          b.wait();
          return 'passed';
        } catch (error) {
          if ((error as Error).name === 'BrokenBarrierError') return 'broken';
          throw error;
        }
      }, sync, b, N));
      expect(outcomes).toEqual(Array(N).fill('broken'));
      expect(b.broken).toBe(true);
    } finally {
      sync.abort();
      b.abort();
    }
  });

  test('a barrier of one party never blocks', () => {
    const b = new Barrier(1);
    expect(b.wait()).toBe(0);
    expect(b.wait()).toBe(0);
    expect(b.broken).toBe(false);
  });

  test('a broken barrier refuses waits at once until reset', () => {
    const b = new Barrier(1);
    b.abort();
    expect(b.broken).toBe(true);
    expect(() => b.wait()).toThrow(BrokenBarrierError);
    b.reset();
    expect(b.broken).toBe(false);
    expect(b.wait()).toBe(0);
  });

  test('nWaiting counts the threads waiting, and abort wakes them', () => {
    const b = new Barrier(3);
    try {
      const threads = bunch(2, (b: Barrier) => {
        try {
          b.wait();
          return 'passed';
        } catch (error) {
          return (error as Error).name;
        }
      }, b);
      until(() => b.nWaiting === 2, 'two threads waiting on the barrier');
      expect(b.broken).toBe(false);
      b.abort();
      expect(joinAll(threads)).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
      expect(b.nWaiting).toBe(0);
    } finally {
      b.abort();
    }
  });
});
