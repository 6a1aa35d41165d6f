import { describe, expect, test } from 'vitest';
import { Empty, Full, LifoQueue, Lock, PriorityQueue, Queue, ShutDown, SimpleQueue, Value, spawn } from 'native-threads';

describe('Queue', () => {
  test('smoke: FIFO order, qsize, empty', () => {
    const q = new Queue<number>();
    expect(q.empty()).toBe(true);
    q.put(1);
    q.put(2);
    q.put(3);
    expect(q.qsize()).toBe(3);
    expect(q.get()).toBe(1);
    expect(q.get()).toBe(2);
    expect(q.get()).toBe(3);
    expect(q.empty()).toBe(true);
    expect(q.maxsize).toBe(0);
    expect(q.full()).toBe(false);
  });

  test('items of every kind come back equal: primitives, objects, Maps, typed arrays, Dates, bigints', () => {
    const q = new Queue();
    const items: unknown[] = [
      0, -1.5, NaN, Infinity, 'text', '', 'ünïcödé ✓', true, false, null, undefined, 2n ** 70n,
      { id: 1, name: 'a', tags: ['x', 'y'] }, [1, [2, [3]]], new Map([[1, 'one']]), new Set([1, 2]),
      new Uint8Array([1, 2, 3]), new Date(0), /re/g,
    ];
    for (const item of items) q.put(item);
    for (const item of items) expect(q.get()).toEqual(item);
  });

  test('large and small items interleave in order, and a small one read later is not overwritten', () => {
    // Gets copy items that fit into one reusable buffer; larger ones get their own.
    const q = new Queue<unknown>();
    const big = 'x'.repeat(100_000);
    const items: unknown[] = [1.5, big, 'small', { big, n: 2 }, -0, 2n ** 70n, [big], 'after'];
    for (const item of items) q.put(item);
    const got = items.map(() => q.get());
    expect(got).toEqual(items);
    expect(Object.is(got[4], -0)).toBe(true);
    expect(got[0]).toBe(1.5);
  });

  test('handles in items come out as the same objects, nested too', () => {
    const q = new Queue();
    const lock = new Lock();
    const value = new Value('i32', 3);
    q.put(lock);
    q.put({ nested: [value, new Map([['lock', lock]])] });
    expect(q.get()).toBe(lock);
    const got = q.get() as { nested: [Value, Map<string, Lock>] };
    expect(got.nested[0]).toBe(value);
    expect(got.nested[1].get('lock')).toBe(lock);
  });

  test('a queue handle passed through a queue still works', () => {
    const outer = new Queue();
    const inner = new Queue();
    outer.put(inner);
    (outer.get() as Queue).put('via inner');
    expect(inner.get()).toBe('via inner');
  });

  test('FIFO order and exact items while small items take the fast ring and others the store', () => {
    // Numbers, short and long strings (a long one cannot take the native backend's
    // ring, and sends the items after it to the store until that drains; the short
    // ones straddle the ring's 120-byte limit), at a steady ~500 items in, so the
    // ring wraps, with long bursts now and then.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const make = (v: number, burst: number): unknown =>
      rand(3) === 0 ? v : burst > 60 && rand(100) === 0 ? `${v}:${'x'.repeat(600 + rand(900))}` : `${v}:${'y'.repeat(rand(130))}`;
    for (const q of [new Queue(), new SimpleQueue()]) {
      const model: unknown[] = [];
      let v = 0;
      for (let round = 0; round < 600; round++) {
        const burst = rand(200) === 0 ? 3000 : 60;
        const puts = model.length < 500 ? 500 : rand(burst);
        const gets = rand(16) === 0 ? rand(burst) : puts;
        for (let i = 0; i < puts; i++) {
          const item = make(v++, burst);
          q.put(item);
          model.push(item);
        }
        for (let i = 0; i < gets && model.length > 0; i++) expect(q.get({ block: false })).toBe(model.shift());
        expect(q.qsize()).toBe(model.length);
      }
      while (model.length > 0) expect(q.get({ block: false })).toBe(model.shift());
      expect(() => q.get({ block: false })).toThrow(Empty);
    }
  });

  test('numbers keep every bit on the way through, from a thread and back', () => {
    // A number takes its own path into the native backend's ring (written straight into the slot).
    const numbers = [0, -0, NaN, Infinity, -Infinity, 5e-324, -Number.MAX_VALUE, 2 ** 53 + 2, -(2 ** 31), 0.1, 255, 65536];
    const there = new Queue<number>();
    const back = new SimpleQueue<number>();
    const t = spawn((there: Queue<number>, back: SimpleQueue<number>, n: number) => {
      for (let i = 0; i < n; i++) back.put(there.get());
    }, there, back, numbers.length);
    for (const x of numbers) there.put(x);
    const got = numbers.map(() => back.get());
    t.join();
    got.forEach((x, i) => expect(Object.is(x, numbers[i]), `item ${i}: ${x} for ${numbers[i]}`).toBe(true));
  });

  test('a producer thread and a consumer thread move mixed items in order, none lost', () => {
    const N = 30_000;
    const q = new Queue(1024);
    const consumer = spawn((q: Queue, N: number) => {
      let bad = -1;
      for (let i = 0; i < N; i++) {
        const got = q.get();
        const v = typeof got === 'number' ? got : Number(String(got).split(':')[0]);
        if (v !== i && bad < 0) bad = i;
      }
      return bad;
    }, q, N);
    const producer = spawn((q: Queue, N: number) => {
      for (let i = 0; i < N; i++) q.put(i % 7 === 0 ? `${i}:${'z'.repeat(i % 13 === 0 ? 700 : 10)}` : i);
    }, q, N);
    producer.join();
    expect(consumer.join()).toBe(-1);
    expect(q.qsize()).toBe(0);
  });

  test('each queue class reaches a thread, and comes back, as itself', () => {
    for (const Class of [Queue, LifoQueue, PriorityQueue, SimpleQueue]) {
      const q = new Class();
      const t = spawn(async (q: object) => {
        const nt = await import('native-threads');
        const classes = [nt.Queue, nt.LifoQueue, nt.PriorityQueue, nt.SimpleQueue];
        return { name: q.constructor.name, exact: classes.filter((C) => Object.getPrototypeOf(q) === C.prototype).length, q };
      }, q);
      const { name, exact, q: back } = t.join() as { name: string; exact: number; q: unknown };
      expect([name, exact]).toEqual([Class.name, 1]);
      expect(Object.getPrototypeOf(back)).toBe(Class.prototype);
    }
    expect([Queue.name, LifoQueue.name, PriorityQueue.name, SimpleQueue.name]).toEqual(['Queue', 'LifoQueue', 'PriorityQueue', 'SimpleQueue']);
  });

  test('bounded: full() and a non-blocking put on a full queue throws Full, changing nothing', () => {
    const q = new Queue<number>(2);
    expect(q.maxsize).toBe(2);
    q.put(1);
    q.put(2);
    expect(q.full()).toBe(true);
    expect(() => q.put(3, { block: false })).toThrow(Full);
    expect(() => q.putNowait(3)).toThrow(Full);
    expect(q.qsize()).toBe(2);
    expect(q.get()).toBe(1);
    expect(q.get()).toBe(2);
  });

  test('a timed put on a full queue throws Full after about the timeout', () => {
    const q = new Queue<number>(1);
    q.put(1);
    const started = performance.now();
    expect(() => q.put(2, { timeout: 50 })).toThrow(Full);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(q.qsize()).toBe(1);
  });

  test('a non-blocking or timed get on an empty queue throws Empty', () => {
    const q = new Queue();
    expect(() => q.get({ block: false })).toThrow(Empty);
    expect(() => q.getNowait()).toThrow(Empty);
    const started = performance.now();
    expect(() => q.get({ timeout: 50 })).toThrow(Empty);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('get blocks until another thread puts', () => {
    const q = new Queue<string>();
    spawn(async (q: Queue<string>) => {
      const { sleep } = await import('native-threads');
      sleep(30);
      q.put('late');
    }, q);
    expect(q.get({ timeout: 10_000 })).toBe('late');
  });

  test('put on a full queue blocks until another thread gets', () => {
    const q = new Queue<number>(1);
    q.put(1);
    const t = spawn(async (q: Queue<number>) => {
      const { sleep } = await import('native-threads');
      sleep(30);
      return q.get();
    }, q);
    q.put(2, { timeout: 10_000 });
    expect(t.join()).toBe(1);
    expect(q.get()).toBe(2);
  });

  test('taskDone/join: join returns once every item is marked done', () => {
    const q = new Queue<number>();
    const done = new Value('i32', 0);
    for (let i = 0; i < 10; i++) q.put(i);
    spawn((q: Queue<number>, done: Value) => {
      for (let i = 0; i < 10; i++) {
        q.get();
        done.add(1);
        q.taskDone();
      }
    }, q, done);
    q.join();
    expect(done.value).toBe(10);
  });

  test('taskDone called more times than items were put throws RangeError', () => {
    const q = new Queue();
    expect(() => q.taskDone()).toThrow(RangeError);
    q.put(1);
    q.get();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(RangeError);
  });

  test('mpmc: 2 producers × 2 consumers move every item exactly once (count and checksum)', () => {
    const q = new Queue<number>(16);
    const n = 2000;
    const produce = (q: Queue<number>, from: number, n: number) => {
      for (let i = from; i < from + n; i++) q.put(i);
    };
    const consume = (q: Queue<number>) => {
      let count = 0;
      let sum = 0;
      for (;;) {
        const item = q.get();
        if (item < 0) return [count, sum];
        count++;
        sum += item;
      }
    };
    const consumers = [spawn(consume, q), spawn(consume, q)];
    const producers = [spawn(produce, q, 0, n), spawn(produce, q, n, n)];
    producers.forEach((t) => t.join());
    q.put(-1);
    q.put(-1);
    const results = consumers.map((t) => t.join() as [number, number]);
    const count = results.reduce((a, [c]) => a + c, 0);
    const sum = results.reduce((a, [, s]) => a + s, 0);
    expect(count).toBe(2 * n);
    expect(sum).toBe(((2 * n) * (2 * n - 1)) / 2);
  });

  describe('shutdown', () => {
    test('puts after shutdown throw ShutDown; gets drain what is left, then throw ShutDown', () => {
      const q = new Queue<number>();
      q.put(1);
      q.shutdown();
      expect(() => q.put(2)).toThrow(ShutDown);
      expect(q.get()).toBe(1);
      expect(() => q.get()).toThrow(ShutDown);
      expect(() => q.get({ block: false })).toThrow(ShutDown);
    });

    test('immediate drops the items and releases join', () => {
      const q = new Queue<number>();
      q.put(1);
      q.put(2);
      q.shutdown(true);
      expect(q.qsize()).toBe(0);
      expect(() => q.get()).toThrow(ShutDown);
      q.join(); // returns: dropped items count as done
    });

    test('shutdown wakes a thread blocked in get', () => {
      const q = new Queue();
      const t = spawn((q: Queue) => {
        try {
          q.get();
          return 'got';
        } catch (error) {
          return (error as Error).name;
        }
      }, q);
      // Give the thread time to block; the result is the same if it has not yet.
      const until = Date.now() + 30;
      while (Date.now() < until);
      q.shutdown();
      expect(t.join()).toBe('ShutDown');
    });
  });

  describe('async twins', () => {
    test('getAsync resolves when another thread puts', async () => {
      const q = new Queue<string>();
      spawn(async (q: Queue<string>) => {
        const { sleep } = await import('native-threads');
        sleep(30);
        q.put('async item');
      }, q);
      expect(await q.getAsync({ timeout: 10_000 })).toBe('async item');
    });

    test('getAsync rejects with Empty on timeout', async () => {
      await expect(new Queue().getAsync({ timeout: 20 })).rejects.toBeInstanceOf(Empty);
    });

    test('putAsync waits for room and rejects with Full on timeout', async () => {
      const q = new Queue<number>(1);
      q.put(1);
      await expect(q.putAsync(2, { timeout: 20 })).rejects.toBeInstanceOf(Full);
      expect(q.qsize()).toBe(1);
      const pending = q.putAsync(3);
      expect(q.get()).toBe(1);
      await pending;
      expect(q.get()).toBe(3);
    });

    test('an aborted getAsync takes no item: the item stays for the next get', async () => {
      const q = new Queue<number>();
      const controller = new AbortController();
      const pending = q.getAsync({ signal: controller.signal });
      controller.abort(new Error('not needed'));
      await expect(pending).rejects.toThrow('not needed');
      q.put(7);
      await new Promise((r) => setTimeout(r, 10));
      expect(q.qsize()).toBe(1);
      expect(q.get()).toBe(7);
    });

    test('an aborted putAsync adds no item', async () => {
      const q = new Queue<number>(1);
      q.put(1);
      const controller = new AbortController();
      const pending = q.putAsync(2, { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toThrow();
      expect(q.get()).toBe(1);
      await new Promise((r) => setTimeout(r, 10));
      expect(q.qsize()).toBe(0);
    });

    test('joinAsync resolves once every item is done, and takes no timeout', async () => {
      const q = new Queue<number>();
      q.put(1);
      spawn((q: Queue<number>) => {
        q.get();
        q.taskDone();
      }, q);
      await q.joinAsync();
      expect(q.qsize()).toBe(0);
      await expect(q.joinAsync({ timeout: 5 } as never)).rejects.toThrow(TypeError);
    });
  });

  describe('bad input', () => {
    test('maxsize must be a non-negative integer', () => {
      expect(() => new Queue('3' as never)).toThrow(TypeError);
      expect(() => new Queue(-1)).toThrow(RangeError);
      expect(() => new Queue(1.5)).toThrow(RangeError);
      expect(() => new Queue(NaN)).toThrow(RangeError);
    });

    test('an item that cannot be cloned is a TypeError naming item, and the queue is unchanged', () => {
      const q = new Queue();
      q.put('kept');
      expect(() => q.put(() => 1)).toThrow(/item/);
      expect(() => q.put(Symbol('s'))).toThrow(TypeError);
      expect(() => q.put({ f: () => 1 })).toThrow(TypeError);
      expect(() => q.put(new WeakMap())).toThrow(TypeError);
      expect(q.qsize()).toBe(1);
      expect(q.get()).toBe('kept');
    });

    test('bad timeouts and options name the parameter', () => {
      const q = new Queue();
      expect(() => q.get({ timeout: 'x' as never })).toThrow(/timeout/);
      expect(() => q.get({ timeout: -5 })).toThrow(RangeError);
      expect(() => q.get({ block: false, timeout: 5 })).toThrow(TypeError);
      expect(() => q.put(1, { blk: true } as never)).toThrow(/blk/);
      expect(() => q.shutdown('yes' as never)).toThrow(/immediate/);
      expect(q.qsize()).toBe(0);
    });
  });
});
