/**
 * What the package adds around Python's primitives: handles of every kind cross
 * threads as the same objects (with their class and parts), and every async twin
 * leaves its primitive as if it had never been called when aborted.
 */
import { describe, expect, test } from 'vitest';
import {
  Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Lock, LifoQueue, PriorityQueue, Queue, RLock,
  Semaphore, SimpleQueue, Thread, ThreadError, sleep, spawn,
} from 'native-threads';

describe('handles of every kind', () => {
  test('come back from a thread as the same objects', () => {
    const objects = [new RLock(), new Condition(), new Semaphore(2), new BoundedSemaphore(1), new Event(), new Barrier(2)];
    const back = spawn((xs: unknown[]) => xs, objects).join() as unknown[];
    back.forEach((x, i) => expect(x).toBe(objects[i]));
  });

  test('keep their class across threads (BoundedSemaphore, LifoQueue, PriorityQueue, SimpleQueue)', () => {
    const t = spawn(async (xs: unknown[]) => {
      const nt = await import('native-threads');
      return xs.map((x) => [
        x instanceof nt.BoundedSemaphore, x instanceof nt.LifoQueue, x instanceof nt.PriorityQueue, x instanceof nt.SimpleQueue,
      ]);
    }, [new BoundedSemaphore(1), new LifoQueue(), new PriorityQueue(), new SimpleQueue()]);
    expect(t.join()).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
    ]);
  });

  test('a Condition crosses threads with its lock', () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const t = spawn((c: Condition, l: Lock) => c.lock === l && c.with(() => l.locked()), cond, lock);
    expect(t.join()).toBe(true);
    expect(lock.locked()).toBe(false);
  });

  test('a Barrier keeps its default timeout in another thread', () => {
    const barrier = new Barrier(2, { timeout: 30 });
    const t = spawn((b: Barrier) => {
      try {
        b.wait();
        return 'passed';
      } catch (error) {
        return (error as Error).name;
      }
    }, barrier);
    expect(t.join(10_000)).toBe('BrokenBarrierError');
    expect(barrier.broken).toBe(true);
  });
});

describe('Condition over a Lock and an RLock', () => {
  test.each([['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const)(
    'a notify from another thread wakes a wait (%s)',
    (_name, makeLock) => {
      const cond = new Condition(makeLock());
      const ready = new Event();
      cond.acquire();
      spawn((c: Condition, ready: Event) => {
        ready.wait();
        c.with(() => c.notify());
      }, cond, ready);
      ready.set();
      expect(cond.wait(10_000)).toBe(true);
      cond.release();
    },
  );

  test.each([['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const)(
    'waitAsync takes the lock back from a notifier that still holds it (%s)',
    async (_name, makeLock) => {
      const cond = new Condition(makeLock());
      cond.acquire();
      const woken = cond.waitAsync();
      // The notifier releases after its notify, as usual, and later than the
      // waiter's first try to take the lock back.
      const t = spawn(async (c: Condition) => {
        const { sleep } = await import('native-threads');
        c.acquire();
        c.notify();
        sleep(30);
        c.release();
      }, cond);
      expect(await woken).toBe(true);
      expect(cond.lock.locked()).toBe(true);
      cond.release();
      t.join();
    },
  );

  test.each([['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const)(
    'wait takes the lock back from a notifier that holds it past the spin (%s)',
    (_name, makeLock) => {
      const cond = new Condition(makeLock());
      const ready = new Event();
      cond.acquire();
      const t = spawn(async (c: Condition, ready: Event) => {
        const { sleep } = await import('native-threads');
        ready.wait();
        c.acquire();
        c.notify();
        sleep(30); // far past the waiter's spin: its restore parks
        c.release();
      }, cond, ready);
      ready.set();
      expect(cond.wait(10_000)).toBe(true);
      expect(cond.lock.locked()).toBe(true);
      cond.release();
      expect(cond.lock.locked()).toBe(false);
      t.join();
    },
  );

  test('wait over an RLock held twice lets go of both levels and takes both back', () => {
    const lock = new RLock();
    const cond = new Condition(lock);
    lock.acquire();
    lock.acquire();
    const t = spawn((l: RLock, c: Condition) => c.with(() => {
      c.notify();
      const reentered = l.acquire({ blocking: false }); // the waiter let go of both levels
      l.release();
      return reentered;
    }), lock, cond);
    expect(cond.wait(10_000)).toBe(true);
    expect(t.join(10_000)).toBe(true);
    lock.release();
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(ThreadError);
  });
});

describe('Condition over a Lock and an RLock, async', () => {
  test.each([['Lock', () => new Lock()], ['RLock', () => new RLock()]] as const)(
    'acquireAsync, and waitAsync taking the lock back, wake when another thread releases the lock (%s)',
    async (_name, makeLock) => {
      const cond = new Condition(makeLock());
      const holding = new Event();
      const letGo = new Event();
      const holder = spawn((c: Condition, holding: Event, letGo: Event) => {
        c.acquire();
        holding.set();
        letGo.wait();
        c.release();
      }, cond, holding, letGo);
      expect(holding.wait(10_000)).toBe(true);
      const acquired = cond.acquireAsync(); // fails its try and watches before it returns
      letGo.set();
      expect(await acquired).toBe(true);
      expect(holder.join(10_000)).toBeUndefined();
      const waited = cond.waitAsync();
      // The notifier holds on a while, so the waiter's re-take usually finds it held and watches.
      const notifier = spawn(async (c: Condition) => {
        const { sleep } = await import('native-threads');
        c.acquire();
        c.notify();
        sleep(50);
        c.release();
      }, cond);
      expect(await waited).toBe(true);
      cond.release();
      expect(notifier.join(10_000)).toBeUndefined();
    },
  );
});

describe('async twins, aborted', () => {
  const cases: [string, () => { start: (signal: AbortSignal) => Promise<unknown>; unchanged: () => void }][] = [
    ['RLock.acquireAsync', () => {
      const r = new RLock();
      const holder = new Event();
      const release = new Event();
      spawn((r: RLock, holder: Event, release: Event) => r.with(() => { holder.set(); release.wait(10_000); }), r, holder, release);
      holder.wait(10_000);
      return {
        start: (signal) => r.acquireAsync({ signal }),
        unchanged: () => {
          release.set();
          expect(r.acquire({ timeout: 10_000 })).toBe(true);
          r.release();
          expect(r.locked()).toBe(false);
        },
      };
    }],
    ['Semaphore.acquireAsync', () => {
      const s = new Semaphore(0);
      return {
        start: (signal) => s.acquireAsync({ signal }),
        unchanged: () => {
          s.release();
          expect(s.acquire({ blocking: false })).toBe(true);
          expect(s.acquire({ blocking: false })).toBe(false);
        },
      };
    }],
    ['Event.waitAsync', () => {
      const e = new Event();
      return { start: (signal) => e.waitAsync({ signal }), unchanged: () => expect(e.isSet()).toBe(false) };
    }],
    ['Condition.waitAsync', () => {
      const c = new Condition(new Lock());
      c.acquire();
      return {
        start: (signal) => c.waitAsync({ signal }),
        unchanged: () => {
          // It took the lock back before rejecting; no waiter is left to take a notify.
          expect(c.lock.locked()).toBe(true);
          c.notify();
          c.release();
        },
      };
    }],
    ['Barrier.waitAsync', () => {
      const b = new Barrier(2);
      return {
        start: (signal) => b.waitAsync({ signal }),
        unchanged: () => {
          expect(b.nWaiting).toBe(0);
          expect(b.broken).toBe(false);
        },
      };
    }],
    ['SimpleQueue.getAsync', () => {
      const q = new SimpleQueue<number>();
      return {
        start: (signal) => q.getAsync({ signal }),
        unchanged: () => {
          q.put(1);
          expect(q.qsize()).toBe(1);
        },
      };
    }],
  ];

  test.each(cases)('%s aborted before the call rejects with the reason and changes nothing', async (_name, make) => {
    const { start, unchanged } = make();
    const reason = new Error('early');
    await expect(start(AbortSignal.abort(reason))).rejects.toBe(reason);
    unchanged();
  });

  test.each(cases)('%s aborted while waiting rejects with the reason and changes nothing', async (_name, make) => {
    const { start, unchanged } = make();
    const controller = new AbortController();
    const pending = start(controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    const reason = new Error('late');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await new Promise((r) => setTimeout(r, 20));
    unchanged();
  });
});

describe('Event set from another thread', () => {
  // On the native backend a set with nobody marked waiting is a compare-exchange
  // on the shared word, with no addon call: these check that waiters mark it.
  test('wakes a thread blocked in wait() (past its spin)', () => {
    const e = new Event(), started = new Event();
    const t = spawn((e: Event, started: Event) => {
      started.set();
      return e.wait();
    }, e, started);
    started.wait();
    sleep(50);
    e.set();
    expect(t.join()).toBe(true);
  });

  test('resolves a waitAsync on the main thread, round after round', async () => {
    for (let i = 0; i < 20; i++) {
      const e = new Event();
      const pending = e.waitAsync();
      const t = spawn((e: Event) => e.set(), e);
      expect(await pending).toBe(true);
      t.join();
    }
  });
});

describe('Barrier', () => {
  test('three threads pass together and get the indexes 0, 1, 2', () => {
    const b = new Barrier(3);
    const threads = [spawn((b: Barrier) => b.wait(10_000), b), spawn((b: Barrier) => b.wait(10_000), b)];
    const mine = b.wait(10_000);
    const all = [mine, ...threads.map((t) => t.join(10_000) as number)].sort();
    expect(all).toEqual([0, 1, 2]);
  });

  test('abort wakes a waiter with BrokenBarrierError', async () => {
    const b = new Barrier(2);
    const pending = b.waitAsync({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    b.abort();
    await expect(pending).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(() => b.wait()).toThrow(BrokenBarrierError);
    b.reset();
    expect(b.broken).toBe(false);
  });
});

describe('PriorityQueue order', () => {
  test('numbers and bigints by value, strings by code point, arrays like tuples', () => {
    const q = new PriorityQueue<unknown>();
    const items = [3, -1.5, 2n ** 64n, 0, -0, 2 ** 64, 2n ** 64n + 1n, -(2n ** 70n)];
    for (const x of items) q.put(x);
    const got = items.map(() => q.get());
    // Equal values leave in the order they were put.
    expect(got).toEqual([-(2n ** 70n), -1.5, 0, -0, 3, 2n ** 64n, 2 ** 64, 2n ** 64n + 1n]);
    const s = new PriorityQueue<string>();
    for (const x of ['b', 'a', 'ab', '', 'é', 'z', '😀']) s.put(x);
    expect(Array.from({ length: 7 }, () => s.get())).toEqual(['', 'a', 'ab', 'b', 'z', 'é', '😀']);
    const t = new PriorityQueue<unknown[]>();
    for (const x of [[2, 'a'], [1, 'z'], [1], [1, 'b']]) t.put(x);
    expect(Array.from({ length: 4 }, () => t.get())).toEqual([[1], [1, 'b'], [1, 'z'], [2, 'a']]);
  });

  test('an item that cannot be ordered, or compared with those queued, is a TypeError and changes nothing', () => {
    const q = new PriorityQueue<unknown>();
    q.put(1);
    expect(() => q.put('one')).toThrow(TypeError);
    expect(() => q.put({ a: 1 })).toThrow(/item/);
    expect(() => q.put(NaN)).toThrow(TypeError);
    expect(() => q.put(true)).toThrow(TypeError);
    expect(q.qsize()).toBe(1);
    expect(q.get()).toBe(1);
  });
});

describe('RLock whose owner ended', () => {
  test('a later acquire gets a ThreadError naming the dead owner instead of waiting for ever', () => {
    const lock = new RLock();
    const t = new Thread({ name: 'leaves-it-locked', target: (l: RLock) => l.acquire(), args: [lock] });
    t.start();
    expect(t.join(10_000)).toBe(true);
    expect(() => lock.acquire({ timeout: 10_000 })).toThrow(/leaves-it-locked.*ended without releasing/);
    expect(() => lock.acquire()).toThrow(ThreadError);
    expect(lock.acquire({ blocking: false })).toBe(false);
  });

  test('acquireAsync rejects with a ThreadError naming the dead owner, also when the owner ends while it waits', async () => {
    const lock = new RLock();
    const go = new Event();
    const t = new Thread({
      name: 'leaves-it-locked-async',
      target: (l: RLock, go: Event) => {
        l.acquire();
        go.wait();
      },
      args: [lock, go],
    });
    t.start();
    while (!lock.locked()) await new Promise((resolve) => setTimeout(resolve, 5));
    const waiting = lock.acquireAsync({ timeout: 10_000 });
    go.set();
    await expect(waiting).rejects.toThrow(/leaves-it-locked-async.*ended without releasing/);
    await expect(lock.acquireAsync({ timeout: 10_000 })).rejects.toThrow(ThreadError);
    // A Condition over it: its acquireAsync follows the rule too.
    await expect(new Condition(lock).acquireAsync({ timeout: 10_000 })).rejects.toThrow(/leaves-it-locked-async/);
    expect(t.join(10_000)).toBeUndefined();
    expect(t.isAlive()).toBe(false);
  });

  test('Condition.waitAsync: taking the RLock back from an owner that ended rejects instead of waiting for ever', async () => {
    const cond = new Condition(new RLock());
    await cond.acquireAsync();
    const waited = cond.waitAsync({ timeout: 10_000 });
    const t = spawn((c: Condition) => {
      c.acquire(); // and never release it: its thread ends holding it
      c.notify();
    }, cond);
    await expect(waited).rejects.toThrow(ThreadError);
    expect(t.join(10_000)).toBeUndefined();
  });
});

describe('RLock ownership and re-entry (the no-call path on the native backend)', () => {
  /** From another thread: try to take it, try to release it, and look. */
  const probe = (l: RLock): [boolean, string, boolean] => {
    const took = l.acquire({ blocking: false });
    let refused = '';
    try {
      l.release();
    } catch (error) {
      refused = `${(error as Error).name}: ${(error as Error).message}`;
    }
    return [took, refused, l.locked()];
  };
  const heldElsewhere = [false, 'ThreadError: cannot release un-acquired lock', true];

  test('only the owner re-enters or releases, level by level', () => {
    const lock = new RLock();
    for (let i = 0; i < 3; i++) expect(lock.acquire()).toBe(true);
    expect(spawn(probe, lock).join(10_000)).toEqual(heldElsewhere);
    lock.release();
    lock.release();
    expect(lock.locked()).toBe(true);
    expect(spawn(probe, lock).join(10_000)).toEqual(heldElsewhere);
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow('cannot release un-acquired lock');
    // The next owner starts from one level, whatever the last one held.
    const t = spawn((l: RLock) => {
      const first = l.acquire() && l.acquire({ blocking: false });
      l.release();
      const oneLeft = l.locked();
      l.release();
      return [first, oneLeft, l.locked()];
    }, lock);
    expect(t.join(10_000)).toEqual([true, true, false]);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
    expect(() => lock.release()).toThrow(ThreadError);
  });

  test('a thread blocked on it, and an async acquire, get it once the owner lets go of every level', async () => {
    const lock = new RLock();
    const holding = new Event();
    const letGo = new Event();
    const holder = spawn((l: RLock, holding: Event, letGo: Event) => {
      l.acquire();
      l.acquire();
      holding.set();
      letGo.wait();
      l.release();
      l.release();
    }, lock, holding, letGo);
    expect(holding.wait(10_000)).toBe(true);
    const waiter = spawn((l: RLock) => {
      const took = l.acquire({ timeout: 10_000 });
      if (took) l.release();
      return took;
    }, lock);
    const async = lock.acquireAsync();
    letGo.set();
    expect(await async).toBe(true);
    expect(lock.acquire()).toBe(true); // re-entry by the async acquire's owner, this thread
    lock.release();
    lock.release();
    expect(waiter.join(10_000)).toBe(true);
    expect(holder.join(10_000)).toBeUndefined();
    expect(lock.locked()).toBe(false);
  });
});
