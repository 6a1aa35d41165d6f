/**
 * Behaviours of CPython's `threading.Thread` and friends, ported to native-threads.
 *
 * Provenance: the behaviours tested here come from CPython 3.13's
 * Lib/test/test_threading.py: ThreadTests (test_various_ops, ident and
 * native_id, names, daemon, join, is_alive, enumerate/active_count after join,
 * test_limbo_cleanup, main_thread, exit with daemon and non-daemon threads),
 * ThreadingExceptionTests (start twice, join self, join before start, daemon of
 * an active thread, the printed exception), ExceptHookTests and TimerTests. The
 * tests are written anew for this package; no CPython code is copied.
 *
 * Licence: the tested behaviours are derived from CPython's test suite,
 * Copyright © 2001 Python Software Foundation; All Rights Reserved, used under
 * the PSF License Agreement (https://docs.python.org/3/license.html).
 *
 * Deviations that JavaScript (or this package's API) forces:
 * - Timeouts and intervals are milliseconds; `Thread(name=..., daemon=...)` is
 *   `new Thread({ name, daemon, target, args })`.
 * - RuntimeError is ThreadError. A non-string name is a TypeError (Python
 *   converts it with str()). Default names are `Thread-N` (Python 3.10+ appends
 *   the target's name: `Thread-N (target)`).
 * - Targets cannot close over variables; the shared state of test_various_ops
 *   (a counter under a mutex) is atomic Values.
 * - `threading.excepthook = hook` is `setExcepthook(hook)`; the hook gets
 *   `{ error, thread }` (Python: exc_type, exc_value, exc_traceback, thread)
 *   and runs on the thread that set it, from its event loop, after the failing
 *   thread ended, so the tests await it. SystemExit, stderr=None and
 *   `thread=None` cases have no equivalent.
 * - Not ported: fork, subinterpreters, `_dummy_thread`, tracing/profiling,
 *   reference cycles and finalisation, repr(). Timer's args defaulting to a
 *   fresh list per Timer (issue 17435) is tested as "a Timer without args calls
 *   its target with none".
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BoundedSemaphore, Queue, Thread, ThreadError, Timer, Value, activeCount, currentThread, enumerate, getIdent,
  getNativeId, mainThread, prestart, setExcepthook, sleep, type ExceptHookArgs,
} from 'native-threads';
import { runChild } from '../helpers.js';
import { WAIT, WINDOW, bunch, eventually, joinAll, run, start, timed } from './support.js';

beforeAll(async () => {
  await prestart(10);
});

const names = () => enumerate().map((t) => t.name);

describe('Thread (ThreadTests)', () => {
  test('various operations: named threads get an ident at start, a semaphore caps how many run at once, all finish', () => {
    const sema = new BoundedSemaphore(3);
    const running = new Value('i32', 0);
    const most = new Value('i32', 0);
    const done = new Value('i32', 0);
    const threads = Array.from({ length: 10 }, (_, i) => new Thread({
      name: `task-${i}`,
      daemon: true,
      args: [sema, running, most, done],
      target: async (sema: BoundedSemaphore, running: Value, most: Value, done: Value) => {
        const { sleep } = await import('native-threads');
        if (!sema.acquire({ timeout: 10_000 })) throw new Error('acquire timed out');
        try {
          const now = running.add(1) + 1;
          for (;;) {
            const seen = most.value;
            if (now <= seen || most.compareExchange(seen, now) === seen) break;
          }
          sleep(Math.random() * 5);
          running.add(-1);
        } finally {
          sema.release();
        }
        done.add(1);
      },
    }));
    threads.forEach((t, i) => {
      expect(t.name).toBe(`task-${i}`);
      expect(t.ident).toBeUndefined();
      expect(t.isAlive()).toBe(false);
    });
    for (const t of threads) {
      t.start();
      expect(typeof t.ident).toBe('number');
    }
    joinAll(threads);
    expect(threads.every((t) => !t.isAlive())).toBe(true);
    expect(done.value).toBe(10);
    expect(running.value).toBe(0);
    expect(most.value).toBeGreaterThanOrEqual(1);
    expect(most.value).toBeLessThanOrEqual(3);
  });

  test('ident: set by start, unique among live threads, equal to getIdent() inside the thread', () => {
    const gate = new Queue<number>();
    const threads = bunch(3, async (gate: Queue<number>) => {
      const { currentThread, getIdent } = await import('native-threads');
      gate.get({ timeout: 10_000 });
      return [getIdent(), currentThread().ident];
    }, gate);
    const idents = threads.map((t) => t.ident);
    expect(new Set(idents).size).toBe(3);
    expect(idents).not.toContain(getIdent());
    for (let i = 0; i < 3; i++) gate.put(1);
    expect(joinAll(threads)).toEqual(idents.map((id) => [id, id]));
    expect(getIdent()).toBe(mainThread().ident);
    expect(currentThread().ident).toBe(getIdent());
  });

  test("nativeId: the OS thread id, equal to getNativeId() inside the thread, different from the main thread's", () => {
    expect(mainThread().nativeId).toBe(getNativeId());
    if (process.platform === 'linux') expect(getNativeId()).toBe(process.pid);
    const t = start(async () => (await import('native-threads')).getNativeId());
    const id = t.nativeId;
    expect(typeof id).toBe('number');
    expect(joinAll([t])).toEqual([id]);
    expect(id).not.toBe(getNativeId());
  });

  test('names: a given name is kept, default names are Thread-N and distinct, a name can be changed from outside or inside', () => {
    expect(new Thread({ target: () => 1, name: 'given' }).name).toBe('given');
    const defaults = [0, 1, 2].map(() => new Thread({ target: () => 1 }).name);
    for (const name of defaults) expect(name).toMatch(/^Thread-\d+$/);
    expect(new Set(defaults).size).toBe(3);
    const t = new Thread({ target: () => 1, name: 'before' });
    t.name = 'after';
    expect(t.name).toBe('after');
    expect(() => new Thread({ target: () => 1, name: 42 as never })).toThrow(TypeError);
    const self = start(async () => {
      (await import('native-threads')).currentThread().name = 'renamed inside';
    });
    joinAll([self]);
    expect(self.name).toBe('renamed inside');
  });

  test('daemon: given, or inherited from the creating thread; settable before start, a ThreadError after', () => {
    expect(new Thread({ target: () => 1 }).daemon).toBe(false);
    expect(new Thread({ target: () => 1, daemon: true }).daemon).toBe(true);
    expect(new Thread({ target: () => 1, daemon: false }).daemon).toBe(false);
    const inherited = async () => {
      const { Thread } = await import('native-threads');
      return new Thread({ target: () => 1 }).daemon;
    };
    expect(run(inherited)).toBe(true); // run() starts daemon threads
    const normal = new Thread({ target: inherited }).start();
    expect(joinAll([normal])).toEqual([false]);
    const t = new Thread({ target: () => 1 });
    t.daemon = true;
    expect(t.daemon).toBe(true);
    t.start();
    expect(() => {
      t.daemon = false;
    }).toThrow(ThreadError);
    expect(t.daemon).toBe(true);
    joinAll([t]);
  });

  test('isAlive: false before start, true while the target runs, false once it returned', () => {
    const gate = new Queue<number>();
    const t = new Thread({ target: (gate: Queue<number>) => gate.get({ timeout: 10_000 }), args: [gate], daemon: true });
    expect(t.isAlive()).toBe(false);
    t.start();
    expect(t.isAlive()).toBe(true);
    gate.put(1);
    joinAll([t]);
    expect(t.isAlive()).toBe(false);
  });

  test('join: returns the result; with a timeout it returns while the thread is still alive; a finished thread joins again at once', () => {
    const gate = new Queue<number>();
    const t = start((gate: Queue<number>) => {
      gate.get({ timeout: 10_000 });
      return 'result';
    }, gate);
    const [early, waited] = timed(() => t.join(50));
    expect(early).toBeUndefined();
    expect(waited).toBeGreaterThanOrEqual(40);
    expect(t.isAlive()).toBe(true);
    gate.put(1);
    expect(t.join(WAIT)).toBe('result');
    expect(t.isAlive()).toBe(false);
    const [, again] = timed(() => t.join(WAIT));
    expect(again).toBeLessThan(WAIT / 2);
    expect(t.isAlive()).toBe(false);
  });

  test('several threads can join the same thread; all return once it ends', () => {
    const gate = new Queue<number>();
    const target = start((gate: Queue<number>) => {
      gate.get({ timeout: 10_000 });
      return 'ended';
    }, gate);
    const joiners = bunch(3, (t: Thread) => {
      t.join(10_000);
      return t.isAlive();
    }, target);
    sleep(WINDOW);
    expect(joiners.every((j) => j.isAlive())).toBe(true);
    gate.put(1);
    expect(joinAll(joiners)).toEqual([false, false, false]);
    expect(joinAll([target])).toEqual(['ended']);
  });

  test('a joined thread is gone from enumerate() and activeCount() at once (20 times)', () => {
    const before = activeCount();
    for (let i = 0; i < 20; i++) {
      const t = start(() => 1);
      joinAll([t]);
      expect(names()).not.toContain(t.name);
      expect(activeCount()).toBe(before);
    }
  });

  test('enumerate() from any thread lists the main thread and the caller; a started thread is listed at once', () => {
    const gate = new Queue<number>();
    const t = start(async (gate: Queue<number>) => {
      const { activeCount, currentThread, enumerate } = await import('native-threads');
      const listed = enumerate().map((x) => x.name);
      const count = activeCount();
      gate.get({ timeout: 10_000 });
      return [listed.includes('MainThread'), listed.includes(currentThread().name), count === listed.length];
    }, gate);
    expect(names()).toContain(t.name);
    expect(activeCount()).toBe(enumerate().length);
    gate.put(1);
    expect(joinAll([t])).toEqual([[true, true, true]]);
  });

  test('a thread whose start failed is not alive and not listed by enumerate()', () => {
    const before = activeCount();
    const missing = new Thread({ target: { module: 'test/cpython/fixtures/no-such-module.mjs' }, name: 'never-started-1' });
    expect(() => missing.start()).toThrow(TypeError);
    const badArgs = new Thread({ target: (f: unknown) => f, args: [() => 1], name: 'never-started-2' });
    expect(() => badArgs.start()).toThrow(TypeError);
    for (const t of [missing, badArgs]) {
      expect(t.isAlive()).toBe(false);
      expect(names()).not.toContain(t.name);
    }
    expect(activeCount()).toBe(before);
  });

  test('mainThread(): named MainThread, the current thread here, alive, and the same thread seen from another thread', () => {
    const main = mainThread();
    expect(main.name).toBe('MainThread');
    expect(main).toBe(currentThread());
    expect(main.ident).toBe(getIdent());
    expect(main.isAlive()).toBe(true);
    expect(main.daemon).toBe(false);
    expect(names()).toContain('MainThread');
    const seen = run(async () => {
      const { currentThread, mainThread } = await import('native-threads');
      const main = mainThread();
      return [main.ident, main.name, main.isAlive(), currentThread().ident !== main.ident, currentThread() !== main];
    });
    expect(seen).toEqual([main.ident, 'MainThread', true, true, true]);
  });
});

describe('Thread misuse (ThreadingExceptionTests)', () => {
  test('starting a thread twice is a ThreadError', () => {
    const t = start(() => 1);
    expect(() => t.start()).toThrow(ThreadError);
    joinAll([t]);
    expect(() => t.start()).toThrow(ThreadError);
  });

  test('joining a thread that was never started is a ThreadError', () => {
    expect(() => new Thread({ target: () => 1 }).join()).toThrow(ThreadError);
    expect(() => new Thread({ target: () => 1 }).join(10)).toThrow(ThreadError);
  });

  test('a thread joining itself is a ThreadError, in the main thread and in any other', () => {
    expect(() => currentThread().join(10)).toThrow(ThreadError);
    expect(run(async () => {
      const { currentThread } = await import('native-threads');
      try {
        currentThread().join(10);
        return 'joined itself';
      } catch (error) {
        return (error as Error).name;
      }
    })).toBe('ThreadError');
  });

  test('making a running thread a daemon is a ThreadError', () => {
    const gate = new Queue<number>();
    const t = new Thread({ target: (gate: Queue<number>) => gate.get({ timeout: 10_000 }), args: [gate] }).start();
    try {
      expect(() => {
        t.daemon = true;
      }).toThrow(ThreadError);
      expect(t.daemon).toBe(false);
    } finally {
      gate.put(1);
      joinAll([t]);
    }
  });

  test('at exit: the default excepthook prints "Exception in thread NAME:" and the stack; the process waits for a non-daemon thread, not for a blocked daemon', async () => {
    const r = await runChild('test/cpython/fixtures/exit-and-excepthook.mjs', { killAfterMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('join rethrew Error boom from a worker\nmain done\nnon-daemon done\n');
    expect(r.stderr).toContain('Exception in thread failing-worker:');
    expect(r.stderr).toContain('boom from a worker');
    expect(r.stderr).toContain('explodeInWorker');
  });
});

describe('setExcepthook (ExceptHookTests)', () => {
  test('a custom hook gets the error (name, message, stack) and the ended thread; join still rethrows', async () => {
    const seen: ExceptHookArgs[] = [];
    setExcepthook((args) => {
      seen.push(args);
    });
    try {
      const t = new Thread({
        name: 'excepthook-victim',
        daemon: true,
        target: function failInThread() {
          throw new TypeError('bad value in a thread');
        },
      }).start();
      expect(() => t.join(WAIT)).toThrow('bad value in a thread');
      await eventually(() => seen.length > 0, 'the excepthook to run');
      expect(seen).toHaveLength(1);
      const { error, thread } = seen[0]!;
      expect(error.name).toBe('TypeError');
      expect(error.message).toBe('bad value in a thread');
      expect(error.stack).toContain('failInThread');
      expect(thread).toBe(t);
      expect(thread.name).toBe('excepthook-victim');
      expect(thread.isAlive()).toBe(false);
    } finally {
      setExcepthook(null);
    }
  });

  test('setExcepthook returns the hook it replaces; null restores the default', () => {
    const first = () => {};
    const second = () => {};
    expect(setExcepthook(first)).toBeNull();
    expect(setExcepthook(second)).toBe(first);
    expect(setExcepthook(null)).toBe(second);
    expect(setExcepthook(null)).toBeNull();
  });

  test('after setExcepthook(null) a replaced hook is no longer called', async () => {
    const seen: string[] = [];
    setExcepthook(({ error }) => {
      seen.push(error.message);
    });
    expect(() => start(() => {
      throw new Error('while hooked');
    }).join(WAIT)).toThrow('while hooked');
    await eventually(() => seen.length > 0, 'the excepthook to run');
    setExcepthook(null);
    // This one goes to the default hook (stderr), not to ours.
    expect(() => start(() => {
      throw new Error('after the hook was removed');
    }).join(WAIT)).toThrow('after the hook was removed');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['while hooked']);
  });

  test('the hook is process-wide: a thread started by another thread reaches it; a thread that returns normally does not', async () => {
    const seen: string[] = [];
    setExcepthook(({ thread, error }) => {
      seen.push(`${thread.name}: ${error.message}`);
    });
    try {
      joinAll([start(() => 'fine')]);
      const innerName = run(async () => {
        const { Thread } = await import('native-threads');
        const inner = new Thread({
          name: 'inner-failure',
          target: () => {
            throw new Error('failed two levels down');
          },
        }).start();
        try {
          inner.join(10_000);
        } catch {
          // expected: join rethrows
        }
        return inner.name;
      });
      expect(innerName).toBe('inner-failure');
      await eventually(() => seen.length > 0, 'the excepthook to run');
      expect(seen).toEqual(['inner-failure: failed two levels down']);
    } finally {
      setExcepthook(null);
    }
  });

  test('a hook that throws does not stop later failures from reaching it', async () => {
    const seen: string[] = [];
    setExcepthook(({ error }) => {
      seen.push(error.message);
      if (seen.length === 1) throw new Error('the hook itself failed');
    });
    try {
      for (const message of ['first failure', 'second failure']) {
        const t = start((message: string) => {
          throw new Error(message);
        }, message);
        expect(() => t.join(WAIT)).toThrow(message);
        await eventually(() => seen.includes(message), `the hook to see "${message}"`);
      }
      expect(seen).toEqual(['first failure', 'second failure']);
    } finally {
      setExcepthook(null);
    }
  });
});

describe('Timer (TimerTests)', () => {
  test('a Timer is a Thread that runs its target with its args once the interval has passed', () => {
    const q = new Queue<unknown>();
    const t = new Timer(100, (q: Queue<unknown>, a: number, b: string) => q.put([a, b]), [q, 1, 'two']);
    expect(t).toBeInstanceOf(Thread);
    expect(t.isAlive()).toBe(false);
    expect(t.ident).toBeUndefined();
    t.daemon = true;
    const [got, waited] = timed(() => {
      t.start();
      return q.get({ timeout: WAIT });
    });
    expect(got).toEqual([1, 'two']);
    expect(waited).toBeGreaterThanOrEqual(80);
    joinAll([t]);
    expect(t.isAlive()).toBe(false);
  });

  test('Timers made without args each call their target with no arguments', () => {
    const target = async (...args: unknown[]) => {
      (await import('native-threads')).currentThread().name = `called with ${args.length} args`;
    };
    const timers = [new Timer(0, target), new Timer(0, target)];
    for (const t of timers) {
      t.daemon = true;
      t.start();
    }
    joinAll(timers);
    expect(timers.map((t) => t.name)).toEqual(['called with 0 args', 'called with 0 args']);
  });

  test('cancel during the interval: the target never runs and the timer ends long before the interval', () => {
    const q = new Queue<string>();
    const t = new Timer(60_000, (q: Queue<string>) => q.put('ran'), [q]);
    t.daemon = true;
    t.start();
    t.cancel();
    joinAll([t]);
    expect(q.qsize()).toBe(0);
  });

  test('cancel before start: the target never runs', () => {
    const q = new Queue<string>();
    const t = new Timer(0, (q: Queue<string>) => q.put('ran'), [q]);
    t.daemon = true;
    t.cancel();
    t.start();
    joinAll([t]);
    expect(q.qsize()).toBe(0);
  });

  test('cancel after the target ran changes nothing', () => {
    const q = new Queue<string>();
    const t = new Timer(0, (q: Queue<string>) => q.put('ran'), [q]);
    t.daemon = true;
    t.start();
    expect(q.get({ timeout: WAIT })).toBe('ran');
    joinAll([t]);
    expect(() => t.cancel()).not.toThrow();
    expect(q.qsize()).toBe(0);
  });

  test('a negative interval is a RangeError', () => {
    expect(() => new Timer(-1, () => 1)).toThrow(RangeError);
    expect(() => new Timer(-100, () => 1)).toThrow(RangeError);
  });
});
