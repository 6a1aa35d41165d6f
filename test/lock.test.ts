import { describe, expect, test } from 'vitest';
import { Lock, ThreadError, Value, spawn } from 'native-threads';

describe('Lock', () => {
  test('smoke: acquire takes it, release frees it, locked tells', () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    expect(lock.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test('a non-blocking acquire of a held lock returns false at once and changes nothing', () => {
    const lock = new Lock();
    lock.acquire();
    expect(lock.acquire({ blocking: false })).toBe(false);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.acquire({ blocking: false })).toBe(true);
  });

  test('a timed acquire of a held lock returns false after about the timeout', () => {
    const lock = new Lock();
    lock.acquire();
    const started = performance.now();
    expect(lock.acquire({ timeout: 50 })).toBe(false);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(5_000);
    expect(lock.acquire({ timeout: 0 })).toBe(false);
  });

  test('release of an unlocked lock is a ThreadError', () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(ThreadError);
    expect(lock.locked()).toBe(false);
  });

  test('any thread may release it, as in Python', () => {
    const lock = new Lock();
    lock.acquire();
    spawn((l: Lock) => l.release(), lock).join();
    expect(lock.locked()).toBe(false);
  });

  test('a blocked acquire wakes when another thread releases', () => {
    const lock = new Lock();
    lock.acquire();
    const t = spawn(async (l: Lock) => {
      const { sleep } = await import('native-threads');
      sleep(30);
      l.release();
    }, lock);
    expect(lock.acquire({ timeout: 10_000 })).toBe(true);
    t.join();
    lock.release();
  });

  test('mutual exclusion: two threads × 2000 locked read-modify-writes lose nothing', () => {
    const lock = new Lock();
    const counter = new Value('i32', 0);
    const work = (l: Lock, c: Value, n: number) => {
      for (let i = 0; i < n; i++) {
        l.acquire();
        const v = c.value;
        c.value = v + 1;
        l.release();
      }
    };
    const threads = [spawn(work, lock, counter, 2000), spawn(work, lock, counter, 2000)];
    threads.forEach((t) => t.join());
    expect(counter.value).toBe(4000);
  });

  test('with runs the function holding the lock and returns its value', () => {
    const lock = new Lock();
    expect(lock.with(() => lock.locked())).toBe(true);
    expect(lock.locked()).toBe(false);
  });

  test('with releases when the function throws', () => {
    const lock = new Lock();
    expect(() => lock.with(() => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(lock.locked()).toBe(false);
  });

  test('with releases when the returned promise settles', async () => {
    const lock = new Lock();
    const p = lock.with(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return 'async';
    });
    expect(lock.locked()).toBe(true);
    expect(await p).toBe('async');
    expect(lock.locked()).toBe(false);
    await expect(lock.with(async () => {
      throw new Error('rejected');
    })).rejects.toThrow('rejected');
    expect(lock.locked()).toBe(false);
  });

  test('hold returns a guard that releases once, on release or dispose', () => {
    const lock = new Lock();
    const guard = lock.hold();
    expect(lock.locked()).toBe(true);
    guard[Symbol.dispose]();
    expect(lock.locked()).toBe(false);
    guard.release(); // a second release is a no-op, not a ThreadError
    expect(lock.locked()).toBe(false);
  });

  test('hold that cannot acquire throws ThreadError and holds nothing', () => {
    const lock = new Lock();
    lock.acquire();
    expect(() => lock.hold({ blocking: false })).toThrow(ThreadError);
    expect(() => lock.hold({ timeout: 10 })).toThrow(ThreadError);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  describe('acquireAsync', () => {
    test('resolves true at once when free', async () => {
      const lock = new Lock();
      expect(await lock.acquireAsync()).toBe(true);
      expect(lock.locked()).toBe(true);
    });

    test('resolves true when another thread releases, without blocking the event loop', async () => {
      const lock = new Lock();
      lock.acquire();
      const t = spawn(async (l: Lock) => {
        const { sleep } = await import('native-threads');
        sleep(50);
        l.release();
      }, lock);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      expect(await lock.acquireAsync({ timeout: 10_000 })).toBe(true);
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(0);
      t.join();
    });

    test('two async waiters on one thread each get the lock in turn from plain releases', async () => {
      // A release through the lock's shared word moves no epoch unless a waiter
      // marked the lock as watched: each release here must still wake a waiter
      // (a missed wake-up would leave them waiting for ever; 5 s means missed).
      const lock = new Lock();
      lock.acquire();
      const order: string[] = [];
      const a = lock.acquireAsync().then((got) => { order.push(`a ${got}`); });
      const b = lock.acquireAsync().then((got) => { order.push(`b ${got}`); });
      const missed = (): Promise<string> => new Promise((r) => setTimeout(() => r('missed wake-up'), 5_000).unref());
      await new Promise((r) => setTimeout(r, 20));
      lock.release();
      expect(await Promise.race([a.then(() => 'woken'), b.then(() => 'woken'), missed()])).toBe('woken');
      expect(order).toHaveLength(1);
      expect(lock.locked()).toBe(true);
      lock.release();
      expect(await Promise.race([Promise.all([a, b]).then(() => 'woken'), missed()])).toBe('woken');
      expect(order.sort()).toEqual(['a true', 'b true']);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test('resolves false on timeout and leaves the lock as it was', async () => {
      const lock = new Lock();
      lock.acquire();
      expect(await lock.acquireAsync({ timeout: 20 })).toBe(false);
      lock.release();
      expect(lock.locked()).toBe(false);
    });

    test('aborted before the call: rejects with the reason, takes nothing', async () => {
      const lock = new Lock();
      const reason = new Error('aborted early');
      await expect(lock.acquireAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(lock.locked()).toBe(false);
    });

    test('aborted while waiting: rejects with the reason, and a later release is not taken by it', async () => {
      const lock = new Lock();
      lock.acquire();
      const controller = new AbortController();
      const pending = lock.acquireAsync({ signal: controller.signal });
      await new Promise((r) => setTimeout(r, 10));
      controller.abort(new Error('gave up'));
      await expect(pending).rejects.toThrow('gave up');
      lock.release();
      await new Promise((r) => setTimeout(r, 10));
      expect(lock.locked()).toBe(false);
    });
  });

  describe('bad input', () => {
    test('a timeout with blocking: false is a TypeError', () => {
      expect(() => new Lock().acquire({ blocking: false, timeout: 5 })).toThrow(TypeError);
    });

    test('a non-number timeout is a TypeError naming timeout', () => {
      expect(() => new Lock().acquire({ timeout: '5' as never })).toThrow(/timeout/);
      expect(() => new Lock().acquire({ timeout: '5' as never })).toThrow(TypeError);
    });

    test('NaN and negative timeouts other than -1 are RangeErrors; -1 waits forever', () => {
      const lock = new Lock();
      expect(() => lock.acquire({ timeout: NaN })).toThrow(RangeError);
      expect(() => lock.acquire({ timeout: -2 })).toThrow(RangeError);
      expect(lock.acquire({ timeout: -1 })).toBe(true);
      expect(lock.locked()).toBe(true);
    });

    test('options that are not an object, unknown options and extra arguments are TypeErrors', () => {
      const lock = new Lock();
      expect(() => lock.acquire(false as never)).toThrow(TypeError);
      expect(() => lock.acquire({ blockng: false } as never)).toThrow(/blockng/);
      expect(() => lock.acquire({ blocking: 'no' as never })).toThrow(/blocking/);
      expect(() => (lock.release as (x: number) => void)(1)).toThrow(TypeError);
      expect(lock.locked()).toBe(false);
    });

    test('async twins reject instead of throwing', async () => {
      const lock = new Lock();
      await expect(lock.acquireAsync({ timeout: -3 })).rejects.toThrow(RangeError);
      await expect(lock.acquireAsync({ signal: 'x' as never })).rejects.toThrow(/signal/);
    });

    test('with needs a function', () => {
      expect(() => new Lock().with(5 as never)).toThrow(TypeError);
    });
  });
});
