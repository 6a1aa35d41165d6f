import { describe, expect, test } from 'vitest';
import {
  Lock, Queue, Thread, ThreadError, Value, activeCount, currentThread, enumerate, getNativeId,
  mainThread, prestart, spawn,
} from 'native-threads';
import { fixture, runChild } from './helpers.js';

describe('Thread', () => {
  test('join returns what the target returned', () => {
    const t = spawn((a: number, b: number) => a * b, 6, 7);
    expect(t.join()).toBe(42);
  });

  test('an async target runs until its promise settles', () => {
    const t = spawn(async (x: number) => {
      await new Promise((r) => setTimeout(r, 30));
      return x + 1;
    }, 1);
    expect(t.join()).toBe(2);
    expect(t.isAlive()).toBe(false);
  });

  test('join rethrows what the target threw, with its name, message and the thread stack', () => {
    const t = spawn(function failing() {
      throw new RangeError('out of range in a thread');
    });
    let caught: unknown;
    try {
      t.join();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('out of range in a thread');
    expect((caught as Error).stack).toContain('failing');
  });

  test('a target that throws a non-Error still makes join throw', () => {
    const t = spawn(() => {
      throw 'just a string';
    });
    expect(() => t.join()).toThrow(/just a string/);
  });

  test('a return value that cannot be cloned makes join throw TypeError', () => {
    const t = spawn(() => () => 1);
    expect(() => t.join()).toThrow(TypeError);
  });

  test('join with a timeout returns undefined while the thread is alive', async () => {
    const gate = new Lock();
    gate.acquire();
    const t = spawn((g: Lock) => {
      g.acquire();
      return 'done';
    }, gate);
    expect(t.join(50)).toBeUndefined();
    expect(t.isAlive()).toBe(true);
    gate.release();
    expect(t.join()).toBe('done');
    expect(t.isAlive()).toBe(false);
  });

  test('joinAsync resolves with the value without blocking the event loop', async () => {
    const t = spawn(async () => {
      const { sleep } = await import('native-threads');
      sleep(50);
      return 'slept';
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const value = await t.joinAsync();
    clearInterval(timer);
    expect(value).toBe('slept');
    expect(ticks).toBeGreaterThan(0);
  });

  test('joinAsync resolves undefined on timeout and rejects on abort', async () => {
    const gate = new Lock();
    gate.acquire();
    const t = spawn((g: Lock) => g.acquire(), gate);
    expect(await t.joinAsync({ timeout: 20 })).toBeUndefined();
    const controller = new AbortController();
    const pending = t.joinAsync({ signal: controller.signal });
    controller.abort(new Error('stop waiting'));
    await expect(pending).rejects.toThrow('stop waiting');
    gate.release();
    expect(await t.joinAsync()).toBe(true);
  });

  test('start returns with ident and nativeId set; the thread sees the same values', () => {
    const t = new Thread({
      target: async () => {
        const { currentThread, getNativeId, getIdent } = await import('native-threads');
        return [currentThread().ident, getIdent(), currentThread().nativeId, getNativeId()];
      },
    });
    expect(t.ident).toBeUndefined();
    expect(t.nativeId).toBeUndefined();
    t.start();
    expect(typeof t.ident).toBe('number');
    expect(typeof t.nativeId).toBe('number');
    const [ident, getIdent, nativeId, osId] = t.join() as number[];
    expect(ident).toBe(t.ident);
    expect(getIdent).toBe(t.ident);
    expect(nativeId).toBe(t.nativeId);
    expect(osId).toBe(t.nativeId);
    expect(t.nativeId).not.toBe(getNativeId());
    expect(t.ident).not.toBe(mainThread().ident);
  });

  test('nativeId is the OS thread id, different for threads alive at once', () => {
    const gate = new Lock();
    gate.acquire();
    const threads = [0, 1, 2].map(() => spawn((g: Lock) => g.with(() => undefined), gate));
    const ids = new Set(threads.map((t) => t.nativeId));
    gate.release();
    threads.forEach((t) => t.join());
    expect(ids.size).toBe(3);
    if (process.platform === 'linux') {
      for (const id of ids) expect(id).toBeGreaterThan(process.pid);
    }
  });

  test('currentThread inside a thread is that thread, with its name', () => {
    const t = new Thread({
      name: 'worker-A',
      target: async () => (await import('native-threads')).currentThread().name,
    });
    t.start();
    expect(t.join()).toBe('worker-A');
    expect(currentThread().name).toBe('MainThread');
    expect(currentThread()).toBe(mainThread());
  });

  test('names default to Thread-N, unique across the process', () => {
    const a = new Thread({ target: () => 1 });
    const b = new Thread({ target: () => 1 });
    expect(a.name).toMatch(/^Thread-\d+$/);
    expect(b.name).toMatch(/^Thread-\d+$/);
    expect(a.name).not.toBe(b.name);
  });

  test('a name set later is seen from the thread itself', () => {
    const gate = new Lock();
    gate.acquire();
    const t = spawn(async (g: Lock) => {
      g.acquire();
      return (await import('native-threads')).currentThread().name;
    }, gate);
    t.name = 'renamed';
    gate.release();
    expect(t.join()).toBe('renamed');
  });

  test('daemon defaults to the creating thread (false on main, inherited in threads)', () => {
    expect(new Thread({ target: () => 1 }).daemon).toBe(false);
    const t = new Thread({
      daemon: true,
      target: async () => {
        const { Thread } = await import('native-threads');
        return new Thread({ target: () => 1 }).daemon;
      },
    });
    t.start();
    expect(t.join()).toBe(true);
  });

  test('a Thread passed to another thread can be joined there', () => {
    const inner = spawn(async () => {
      const { sleep } = await import('native-threads');
      sleep(30);
      return 'inner result';
    });
    const outer = spawn((t: Thread) => [t.join(), t.isAlive(), t.name], inner);
    expect(outer.join()).toEqual(['inner result', false, inner.name]);
  });

  test('handles in args arrive as working handles to the same objects', () => {
    const lock = new Lock();
    const value = new Value('i32', 5);
    const queue = new Queue();
    const t = spawn((o: { lock: Lock; value: Value; queue: Queue }) => {
      o.value.value = o.value.value + 1;
      o.queue.put(o.lock);
      return o.lock.acquire({ blocking: false });
    }, { lock, value, queue });
    expect(t.join()).toBe(true);
    expect(value.value).toBe(6);
    expect(lock.locked()).toBe(true);
    expect(queue.get()).toBe(lock);
  });

  test('SharedArrayBuffers in args are shared, not copied', () => {
    const sab = new SharedArrayBuffer(8);
    spawn((s: SharedArrayBuffer) => {
      Atomics.store(new Int32Array(s), 0, 99);
    }, sab).join();
    expect(new Int32Array(sab)[0]).toBe(99);
  });

  test('back-to-back threads, each taken by the worker that just ended one, get their args, handles and buffers', () => {
    const value = new Value('i32', 0);
    const sab = new SharedArrayBuffer(4);
    for (let i = 1; i <= 200; i++) {
      const got = spawn((v: Value, s: SharedArrayBuffer, n: number) => {
        v.value = v.value + n;
        return Atomics.add(new Int32Array(s), 0, 1) + n;
      }, value, sab, i).join();
      expect(got).toBe(i - 1 + i);
    }
    expect(value.value).toBe((200 * 201) / 2);
    expect(new Int32Array(sab)[0]).toBe(200);
  });

  test('a timer a thread leaves behind fires while its worker takes back-to-back threads', () => {
    // A worker lingers after a thread for the next one: its timers must still get their turn.
    const fired = new Value('i32', 0);
    spawn((v: Value) => {
      setTimeout(() => {
        v.value = 1;
      }, 5);
    }, fired).join();
    const start = performance.now();
    while (fired.value === 0 && performance.now() - start < 2000) spawn(() => 0).join();
    expect(fired.value).toBe(1);
  });

  test('back-to-back threads each run their own target and args, however the run reaches the worker', () => {
    // A run reaches an awake worker by mail (a function whose args are primitives,
    // its source sent again or not), or by message (object args, a long source or
    // string); pauses around the workers' lingering (0.1 ms) move them between
    // awake and parked.
    const padding = '/* ' + 'x'.repeat(3000) + ' */';
    const long = (0, eval)(`(() => { ${padding} return -1; })`) as () => number;
    const same = () => 5;
    const show = (...args: unknown[]) => JSON.stringify(args.map((a) => (a === undefined ? 'undefined' : Object.is(a, -0) ? '-0' : a)));
    const pause = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 1500; i++) {
      const kind = Math.floor(random() * 6);
      if (kind === 0) expect(spawn(same).join()).toBe(5);
      else if (kind === 1) expect(spawn((0, eval)(`(() => ${i})`) as () => number).join()).toBe(i);
      else if (kind === 2) {
        const args = [i, -0, `s${i}\u{1F600}\uD800`, i % 2 === 0, null, undefined, 'y'.repeat(i % 3 === 0 ? 600 : 3)];
        expect(spawn(show, ...args).join()).toBe(show(...args));
      } else if (kind === 3) expect(spawn((o: { k: number }) => o.k * 2, { k: i }).join()).toBe(2 * i);
      else if (kind === 4) expect(spawn(long).join()).toBe(-1);
      else expect(spawn((k: number) => k + 1, i).join()).toBe(i + 1);
      if (random() < 0.3) pause(random() * 0.3);
    }
  });

  test('module targets run the named export, or the default', () => {
    const url = new URL('./fixtures/targets.mjs', import.meta.url);
    expect(spawn({ module: url, export: 'double' }, 21).join()).toBe(42);
    expect(spawn({ module: url.href, export: 'later' }, 1).join()).toBe(2);
    const t = new Thread({ target: { module: 'test/fixtures/targets.mjs' }, args: [1, 2], name: 'modular' });
    t.start();
    expect(t.join()).toBe('default 3 in modular');
  });

  test('a module export that is not a function makes join throw TypeError', () => {
    const t = spawn({ module: 'test/fixtures/targets.mjs', export: 'notAFunction' });
    expect(() => t.join()).toThrow(TypeError);
  });

  test('a missing module file is a TypeError at start, before anything runs', () => {
    const t = new Thread({ target: { module: 'test/fixtures/no-such-file.mjs' } });
    expect(() => t.start()).toThrow(TypeError);
    expect(t.isAlive()).toBe(false);
    expect(t.ident).toBeUndefined();
  });

  test('enumerate lists the main thread and every running thread; activeCount counts them', () => {
    const gate = new Lock();
    gate.acquire();
    const t = spawn((g: Lock) => g.with(() => undefined), gate);
    const names = enumerate().map((x) => x.name);
    expect(names).toContain('MainThread');
    expect(names).toContain(t.name);
    expect(activeCount()).toBe(enumerate().length);
    gate.release();
    t.join();
    expect(enumerate().map((x) => x.name)).not.toContain(t.name);
  });

  test('prestart warms isolates so later starts need not wait for one', async () => {
    await prestart(2);
    const threads = [spawn(() => 1), spawn(() => 2)];
    expect(threads.map((t) => t.join())).toEqual([1, 2]);
  });

  test('a start with no idle worker takes the first to finish its thread, not only a booting one', async () => {
    // Ten short threads on two warm workers: with reuse they run on a few OS threads
    // (a boot takes tens of ms, the ten starts a few); without it, the starts that find
    // both busy each wait for a new isolate (8 distinct when this test was written).
    const run = await runChild(fixture('pool-reuse.mjs'));
    expect(run.code, run.stderr).toBe(0);
    const { distinct } = JSON.parse(run.stdout) as { distinct: number };
    expect(distinct).toBeLessThanOrEqual(4);
  });

  describe('misuse', () => {
    test('starting twice is a ThreadError', () => {
      const t = spawn(() => 1);
      expect(() => t.start()).toThrow(ThreadError);
      t.join();
    });

    test('join before start is a ThreadError', () => {
      expect(() => new Thread({ target: () => 1 }).join()).toThrow(ThreadError);
    });

    test('joining the current thread is a ThreadError', () => {
      expect(() => currentThread().join()).toThrow(ThreadError);
      const t = spawn(async () => {
        const { currentThread } = await import('native-threads');
        try {
          currentThread().join();
          return 'no error';
        } catch (error) {
          return (error as Error).name;
        }
      });
      expect(t.join()).toBe('ThreadError');
    });

    test('setting daemon after start is a ThreadError', () => {
      const t = spawn(() => 1);
      expect(() => {
        t.daemon = true;
      }).toThrow(ThreadError);
      t.join();
    });

    test('a target that is not a function or module is a TypeError naming target', () => {
      expect(() => new Thread({ target: 42 as never })).toThrow(/target/);
      expect(() => new Thread({ target: 42 as never })).toThrow(TypeError);
      expect(() => new Thread({ target: Math.max })).toThrow(TypeError);
      expect(() => new Thread({ target: (() => 1).bind(null) })).toThrow(TypeError);
      expect(() => spawn(class X {} as never)).toThrow(TypeError);
    });

    test('args that cannot cross threads are a TypeError naming args, raised in the caller', () => {
      const t = new Thread({ target: (f: unknown) => f, args: [() => 1] });
      expect(() => t.start()).toThrow(/args/);
      expect(t.isAlive()).toBe(false);
      expect(() => new Thread({ target: () => 1, args: 'nope' as never })).toThrow(/args/);
    });

    test('bad options are TypeErrors naming the option', () => {
      expect(() => new Thread(undefined as never)).toThrow(TypeError);
      expect(() => new Thread({ target: () => 1, name: 5 as never })).toThrow(/name/);
      expect(() => new Thread({ target: () => 1, daemon: 'yes' as never })).toThrow(/daemon/);
      expect(() => new Thread({ target: () => 1, bogus: 1 } as never)).toThrow(/bogus/);
      expect(() => spawn(() => 1).join('soon' as never)).toThrow(/timeout/);
      expect(() => spawn(() => 1).join(-5)).toThrow(RangeError);
    });
  });
});
