/**
 * The Backend interface itself (src/backend/types.ts), on whichever backend
 * NATIVE_THREADS_BACKEND selects: registry, Lock, Value, Queue and its flavors,
 * RLock, Condition, Semaphore, Event, Barrier, thread records, change
 * notification, sleep, and (last, since it is permanent) interruptAll.
 *
 * Cross-thread tests run plain-JS workers that import the built backend from
 * dist/internal.js (workers cannot import .ts): build first with
 * `npm run build:ts` (the project's test command does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, test } from 'vitest';
import { backend, backendWorkerData, kBackendKey } from '../src/backend/select.js';
import {
  BarrierStatus,
  CondWait,
  GetStatus,
  PutStatus,
  RlockRelease,
  ThreadState,
  type Handle,
} from '../src/backend/types.js';

const b = backend;
const distSelect = new URL('../dist/internal.js', import.meta.url);
const STRESS = Number(process.env.NATIVE_THREADS_STRESS ?? '1') || 1;

beforeAll(() => {
  if (!existsSync(fileURLToPath(distSelect))) {
    throw new Error(`${fileURLToPath(distSelect)} is missing: run \`npm run build:ts\` first`);
  }
});

/**
 * Runs `body` (the text of an async function body) in a new worker attached to
 * this process's backend. Inside it: `backend` (the worker's Backend), `d` (the
 * `data` given here), `sleep(ms)` (a Promise). Resolves to what `body` returns.
 */
function inWorker(body: string, data: Record<string, unknown> = {}): Promise<unknown> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const { backend } = await import(${JSON.stringify(distSelect.href)});
      const d = workerData;
      ${body}
    })().then(
      (result) => parentPort.postMessage({ ok: true, result }),
      (error) => parentPort.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { [kBackendKey]: backendWorkerData(), ...data } });
    worker.once('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      if (m.ok) resolve(m.result);
      else reject(new Error(`worker failed: ${m.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) without a result`)));
  });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An encoded item: u32 LE handle count, the handles, then `payload`. */
function encode(handles: Handle[], payload: ArrayLike<number> = []): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * handles.length + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, handles.length, true);
  handles.forEach((h, i) => view.setUint32(4 + 4 * i, h, true));
  bytes.set(payload, 4 + 4 * handles.length);
  return bytes;
}

function expectInvalid(fn: () => unknown): void {
  expect(fn).toThrow(TypeError);
  expect(fn).toThrow(/^invalid handle/);
}

describe('Registry', () => {
  test('a new object has one reference, and one release frees it', () => {
    const base = b.liveObjects();
    const h = b.lockNew();
    expect(h).toBeGreaterThan(0);
    expect(Number.isInteger(h)).toBe(true);
    expect(b.kindOf(h)).toBe('lock');
    expect(b.liveObjects()).toBe(base + 1);
    b.release(h);
    expect(b.kindOf(h)).toBeUndefined();
    expect(b.liveObjects()).toBe(base);
  });

  test('retain adds a reference that release drops', () => {
    const base = b.liveObjects();
    const h = b.queueNew(0, 'fifo');
    b.retain(h);
    b.retain(h);
    b.release(h);
    b.release(h);
    expect(b.kindOf(h)).toBe('queue');
    b.release(h);
    expect(b.kindOf(h)).toBeUndefined();
    expect(b.liveObjects()).toBe(base);
  });

  test('every kind reports its kind', () => {
    const hs = [
      b.lockNew(),
      b.valueNew('i32', 0),
      b.queueNew(0, 'fifo'),
      b.threadNew('t', false),
      b.rlockNew(),
      b.condNew(),
      b.semNew(1, -1),
      b.eventNew(),
      b.barrierNew(2),
      b.queueNew(0, 'lifo'),
      b.queueNew(0, 'priority'),
      b.queueNew(0, 'simple'),
    ];
    expect(hs.map((h) => b.kindOf(h))).toEqual([
      'lock',
      'value',
      'queue',
      'thread',
      'rlock',
      'condition',
      'semaphore',
      'event',
      'barrier',
      'queue',
      'queue',
      'queue',
    ]);
    expect(new Set(hs).size).toBe(hs.length);
    for (const h of hs) b.release(h);
  });

  test('a freed handle is an invalid handle TypeError everywhere', () => {
    const l = b.lockNew();
    const q = b.queueNew(0, 'fifo');
    b.release(l);
    b.release(q);
    expectInvalid(() => b.lockAcquire(l, 0));
    expectInvalid(() => b.lockLocked(l));
    expectInvalid(() => b.queuePut(q, encode([]), 0));
    expectInvalid(() => b.queueSize(q));
    expectInvalid(() => b.retain(l));
    expectInvalid(() => b.release(l));
    expectInvalid(() => b.epoch(q));
  });

  test('a handle of another kind is an invalid handle', () => {
    const v = b.valueNew('i32', 0);
    const l = b.lockNew();
    expectInvalid(() => b.lockAcquire(v, 0));
    expectInvalid(() => b.queueSize(l));
    expectInvalid(() => b.threadName(v));
    expectInvalid(() => b.valueGet(l));
    b.release(v);
    b.release(l);
  });

  test('numbers that were never handles are invalid, and kindOf never throws', () => {
    for (const h of [0, -1, 1.5, 2 ** 31 - 1, 2 ** 32 + 1, Number.NaN]) {
      expect(b.kindOf(h)).toBeUndefined();
      expectInvalid(() => b.lockLocked(h));
    }
  });

  test('a stale handle stays invalid while its slot is reused', () => {
    const base = b.liveObjects();
    const stale = b.lockNew();
    b.release(stale);
    const fresh: Handle[] = [];
    for (let i = 0; i < 3000; i++) {
      const h = b.lockNew();
      expect(h).not.toBe(stale);
      fresh.push(h);
      if (i % 2 === 0) b.release(fresh.pop() as Handle);
    }
    expect(b.kindOf(stale)).toBeUndefined();
    expectInvalid(() => b.lockAcquire(stale, 0));
    for (const h of fresh) b.release(h);
    expect(b.liveObjects()).toBe(base);
  });

  test('a worker resolves the same handles', async () => {
    const v = b.valueNew('i32', 41);
    const got = await inWorker('return [backend.kindOf(d.v), backend.valueAdd(d.v, 1)];', { v });
    expect(got).toEqual(['value', 41]);
    expect(b.valueGet(v)).toBe(42);
    b.release(v);
  });
});

describe('Lock', () => {
  test('smoke: try-acquire, locked, release, release when unlocked is false', () => {
    const l = b.lockNew();
    expect(b.lockLocked(l)).toBe(false);
    expect(b.lockAcquire(l, 0)).toBe(true);
    expect(b.lockLocked(l)).toBe(true);
    expect(b.lockAcquire(l, 0)).toBe(false);
    expect(b.lockRelease(l)).toBe(true);
    expect(b.lockLocked(l)).toBe(false);
    expect(b.lockRelease(l)).toBe(false);
    expect(b.lockLocked(l)).toBe(false);
    expect(b.lockAcquire(l, -1)).toBe(true);
    b.lockRelease(l);
    b.release(l);
  });

  test('a timed acquire of a held lock times out after roughly the timeout', () => {
    const l = b.lockNew();
    b.lockAcquire(l, -1);
    const t0 = performance.now();
    expect(b.lockAcquire(l, 60)).toBe(false);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.lockLocked(l)).toBe(true);
    b.lockRelease(l);
    b.release(l);
  });

  test('a fractional timeout is honoured', () => {
    const l = b.lockNew();
    b.lockAcquire(l, -1);
    expect(b.lockAcquire(l, 0.5)).toBe(false);
    b.lockRelease(l);
    b.release(l);
  });

  test('another thread can release a lock this thread acquired', async () => {
    const l = b.lockNew();
    b.lockAcquire(l, -1);
    expect(await inWorker('return [backend.lockRelease(d.l), backend.lockRelease(d.l)];', { l })).toEqual([true, false]);
    expect(b.lockLocked(l)).toBe(false);
    b.release(l);
  });

  test('a blocked acquire in another thread wakes when the lock is released', async () => {
    const l = b.lockNew();
    b.lockAcquire(l, -1);
    const result = inWorker('const ok = backend.lockAcquire(d.l, 20000); return [ok, backend.lockLocked(d.l)];', { l });
    await delay(100);
    b.lockRelease(l);
    expect(await result).toEqual([true, true]);
    expect(b.lockRelease(l)).toBe(true);
    b.release(l);
  });

  test('the epoch moves on release', () => {
    const l = b.lockNew();
    b.lockAcquire(l, -1);
    const e = b.epoch(l);
    b.lockRelease(l);
    expect(b.epoch(l)).not.toBe(e);
    b.release(l);
  });

  test('mutual exclusion across threads: a locked non-atomic increment loses nothing', async () => {
    const l = b.lockNew();
    const v = b.valueNew('i32', 0);
    const n = 20_000 * STRESS;
    const body = `
      for (let i = 0; i < d.n; i++) {
        backend.lockAcquire(d.l, -1);
        backend.valueSet(d.v, backend.valueGet(d.v) + 1);
        backend.lockRelease(d.l);
      }
      return true;`;
    await Promise.all([inWorker(body, { l, v, n }), inWorker(body, { l, v, n })]);
    expect(b.valueGet(v)).toBe(2 * n);
    b.release(l);
    b.release(v);
  });
});

describe('Value', () => {
  test('each type keeps its type and initial value', () => {
    const cases: [Parameters<typeof b.valueNew>[0], number | bigint][] = [
      ['i32', -5],
      ['u32', 4_000_000_000],
      ['i64', -(2n ** 60n)],
      ['f64', 0.1],
    ];
    for (const [type, initial] of cases) {
      const h = b.valueNew(type, initial);
      expect(b.valueType(h)).toBe(type);
      expect(b.valueGet(h)).toBe(initial);
      b.release(h);
    }
  });

  test('i32 and u32 wrap like their typed arrays', () => {
    const i = b.valueNew('i32', 2 ** 31 - 1);
    expect(b.valueAdd(i, 1)).toBe(2 ** 31 - 1);
    expect(b.valueGet(i)).toBe(-(2 ** 31));
    const u = b.valueNew('u32', 0);
    expect(b.valueAdd(u, -1)).toBe(0);
    expect(b.valueGet(u)).toBe(2 ** 32 - 1);
    b.valueSet(u, 7);
    expect(b.valueGet(u)).toBe(7);
    b.release(i);
    b.release(u);
  });

  test('add and compareExchange return the previous value', () => {
    const i = b.valueNew('i32', 10);
    expect(b.valueAdd(i, 5)).toBe(10);
    expect(b.valueCompareExchange(i, 15, 20)).toBe(15);
    expect(b.valueGet(i)).toBe(20);
    expect(b.valueCompareExchange(i, 15, 30)).toBe(20);
    expect(b.valueGet(i)).toBe(20);
    b.release(i);
  });

  test('i64 uses bigint throughout', () => {
    const h = b.valueNew('i64', 2n ** 62n);
    expect(b.valueAdd(h, 2n ** 62n)).toBe(2n ** 62n);
    expect(b.valueGet(h)).toBe(-(2n ** 63n)); // wrapped
    b.valueSet(h, 5n);
    expect(b.valueCompareExchange(h, 5n, -7n)).toBe(5n);
    expect(b.valueGet(h)).toBe(-7n);
    expect(b.valueCompareExchange(h, 5n, 0n)).toBe(-7n);
    b.release(h);
  });

  test('f64 add and compareExchange work on fractions', () => {
    const h = b.valueNew('f64', 1.5);
    expect(b.valueAdd(h, 0.25)).toBe(1.5);
    expect(b.valueGet(h)).toBe(1.75);
    expect(b.valueCompareExchange(h, 1.75, -3.5)).toBe(1.75);
    expect(b.valueCompareExchange(h, 1.75, 9)).toBe(-3.5);
    expect(b.valueGet(h)).toBe(-3.5);
    b.valueSet(h, Number.POSITIVE_INFINITY);
    expect(b.valueGet(h)).toBe(Number.POSITIVE_INFINITY);
    b.release(h);
  });

  test('add is atomic across threads, for every type', async () => {
    const n = 20_000 * STRESS;
    const hs = { i32: b.valueNew('i32', 0), u32: b.valueNew('u32', 0), i64: b.valueNew('i64', 0n), f64: b.valueNew('f64', 0) };
    const body = `
      for (let i = 0; i < d.n; i++) {
        backend.valueAdd(d.hs.i32, 1);
        backend.valueAdd(d.hs.u32, 1);
        backend.valueAdd(d.hs.i64, 1n);
        backend.valueAdd(d.hs.f64, 1);
      }
      return true;`;
    await Promise.all([inWorker(body, { hs, n }), inWorker(body, { hs, n })]);
    expect(b.valueGet(hs.i32)).toBe(2 * n);
    expect(b.valueGet(hs.u32)).toBe(2 * n);
    expect(b.valueGet(hs.i64)).toBe(BigInt(2 * n));
    expect(b.valueGet(hs.f64)).toBe(2 * n);
    for (const h of Object.values(hs)) b.release(h);
  });
});

describe('Queue', () => {
  test('get copies an item that fits into `into` and returns a view of it; a larger one comes as its own array', () => {
    const q = b.queueNew(0, 'fifo');
    const small = encode([], [1, 2, 3]);
    const large = encode([], new Uint8Array(64).fill(5));
    expect(b.queuePut(q, small, 0)).toBe(PutStatus.Ok);
    expect(b.queuePut(q, large, 0)).toBe(PutStatus.Ok);
    const into = new Uint8Array(32);
    const first = b.queueGet(q, 0, into) as Uint8Array;
    expect(first.buffer).toBe(into.buffer);
    expect([...first]).toEqual([...small]);
    const second = b.queueGet(q, 0, into) as Uint8Array;
    expect(second.buffer).not.toBe(into.buffer);
    expect([...second]).toEqual([...large]);
    expect(b.queueGet(q, 0, into)).toBe(GetStatus.Empty);
    b.release(q);
  });

  // The js backend may assume well-formed input (types.ts); the addon must still never crash on it.
  test.runIf(b.name === 'native')('native: put and get throw a TypeError, and change nothing, on arguments of the wrong type', () => {
    const q = b.queueNew(0, 'fifo');
    const wrong = (x: unknown): never => x as never;
    expect(() => b.queuePut(q, wrong('not bytes'), 0)).toThrow(TypeError);
    expect(() => b.queuePut(q, wrong(new Uint16Array(4)), 0)).toThrow(TypeError);
    expect(() => b.queuePut(wrong('q'), encode([]), 0)).toThrow(TypeError);
    expect(() => b.queuePut(q, encode([]), wrong('soon'))).toThrow(TypeError);
    expect(() => b.queueGet(q, 0, wrong([1, 2, 3]))).toThrow(TypeError);
    expect(b.queueSize(q)).toBe(0);
    b.release(q);
  });

  test('smoke: items come out in FIFO order as fresh unshared copies', () => {
    const q = b.queueNew(0, 'fifo');
    expect(b.queueMaxsize(q)).toBe(0);
    const items = [encode([], [1, 2, 3]), encode([]), encode([], new Uint8Array(1000).fill(7))];
    for (const item of items) expect(b.queuePut(q, item, 0)).toBe(PutStatus.Ok);
    expect(b.queueSize(q)).toBe(3);
    items[0][4] = 99; // the queue holds a copy
    for (const [i, item] of items.entries()) {
      const got = b.queueGet(q, 0);
      expect(got).toBeInstanceOf(Uint8Array);
      const bytes = got as Uint8Array;
      expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
      expect(bytes.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      if (i === 0) expect([...bytes]).toEqual([0, 0, 0, 0, 1, 2, 3]);
      else expect([...bytes]).toEqual([...item]);
    }
    expect(b.queueSize(q)).toBe(0);
    b.release(q);
  });

  test('an empty item round-trips', () => {
    const q = b.queueNew(0, 'fifo');
    expect(b.queuePut(q, new Uint8Array(0), 0)).toBe(PutStatus.Ok);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([]);
    b.release(q);
  });

  test('a bounded queue is Full without blocking, and after a timeout', () => {
    const q = b.queueNew(2, 'fifo');
    expect(b.queueMaxsize(q)).toBe(2);
    expect(b.queuePut(q, encode([], [1]), 0)).toBe(PutStatus.Ok);
    expect(b.queuePut(q, encode([], [2]), 0)).toBe(PutStatus.Ok);
    expect(b.queuePut(q, encode([], [3]), 0)).toBe(PutStatus.Full);
    const t0 = performance.now();
    expect(b.queuePut(q, encode([], [3]), 60)).toBe(PutStatus.Full);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.queueSize(q)).toBe(2); // the failed puts changed nothing
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([0, 0, 0, 0, 1]);
    expect(b.queuePut(q, encode([], [3]), 0)).toBe(PutStatus.Ok);
    b.release(q);
  });

  test('an empty queue is Empty without blocking, and after a timeout', () => {
    const q = b.queueNew(0, 'fifo');
    expect(b.queueGet(q, 0)).toBe(GetStatus.Empty);
    const t0 = performance.now();
    expect(b.queueGet(q, 60)).toBe(GetStatus.Empty);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    b.release(q);
  });

  test('get blocks until another thread puts', async () => {
    const q = b.queueNew(0, 'fifo');
    const got = inWorker('return [...backend.queueGet(d.q, 20000)];', { q });
    await delay(100);
    b.queuePut(q, encode([], [42]), 0);
    expect(await got).toEqual([0, 0, 0, 0, 42]);
    b.release(q);
  });

  test('put on a full queue blocks until another thread gets', async () => {
    const q = b.queueNew(1, 'fifo');
    b.queuePut(q, encode([], [1]), 0);
    const put = inWorker('return backend.queuePut(d.q, new Uint8Array([0, 0, 0, 0, 2]), 20000);', { q });
    await delay(100);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([0, 0, 0, 0, 1]);
    expect(await put).toBe(PutStatus.Ok);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([0, 0, 0, 0, 2]);
    b.release(q);
  });

  test('taskDone is false with no unfinished task; join waits for the last one', () => {
    const q = b.queueNew(0, 'fifo');
    expect(b.queueTaskDone(q)).toBe(false);
    expect(b.queueJoin(q, 0)).toBe(true);
    b.queuePut(q, encode([]), 0);
    b.queuePut(q, encode([]), 0);
    expect(b.queueJoin(q, 0)).toBe(false);
    expect(b.queueJoin(q, 30)).toBe(false);
    b.queueGet(q, 0);
    b.queueGet(q, 0);
    expect(b.queueJoin(q, 0)).toBe(false); // gets do not finish tasks
    expect(b.queueTaskDone(q)).toBe(true);
    expect(b.queueJoin(q, 0)).toBe(false);
    expect(b.queueTaskDone(q)).toBe(true);
    expect(b.queueJoin(q, 0)).toBe(true);
    expect(b.queueTaskDone(q)).toBe(false);
    b.release(q);
  });

  test('join in another thread wakes when the unfinished count reaches 0', async () => {
    const q = b.queueNew(0, 'fifo');
    b.queuePut(q, encode([]), 0);
    const joined = inWorker('return backend.queueJoin(d.q, 20000);', { q });
    await delay(100);
    b.queueGet(q, 0);
    b.queueTaskDone(q);
    expect(await joined).toBe(true);
    b.release(q);
  });

  test('shutdown: puts fail, gets drain the rest, then ShutDown', () => {
    const q = b.queueNew(0, 'fifo');
    b.queuePut(q, encode([], [1]), 0);
    expect(b.queueIsShutDown(q)).toBe(false);
    b.queueShutdown(q, false);
    expect(b.queueIsShutDown(q)).toBe(true);
    expect(b.queuePut(q, encode([], [2]), 0)).toBe(PutStatus.ShutDown);
    expect(b.queuePut(q, encode([], [2]), -1)).toBe(PutStatus.ShutDown);
    expect(b.queueSize(q)).toBe(1);
    expect([...(b.queueGet(q, -1) as Uint8Array)]).toEqual([0, 0, 0, 0, 1]);
    expect(b.queueGet(q, 0)).toBe(GetStatus.ShutDown);
    expect(b.queueGet(q, -1)).toBe(GetStatus.ShutDown);
    expect(b.queueJoin(q, 0)).toBe(false); // one task still unfinished
    b.release(q);
  });

  test('shutdown(immediate) drops the items, counting each as task done', () => {
    const q = b.queueNew(0, 'fifo');
    for (let i = 0; i < 3; i++) b.queuePut(q, encode([], [i]), 0);
    b.queueGet(q, 0); // taken but not done: stays unfinished
    b.queueShutdown(q, true);
    expect(b.queueSize(q)).toBe(0);
    expect(b.queueGet(q, -1)).toBe(GetStatus.ShutDown);
    expect(b.queueJoin(q, 0)).toBe(false);
    expect(b.queueTaskDone(q)).toBe(true);
    expect(b.queueJoin(q, 0)).toBe(true);
    expect(b.queueTaskDone(q)).toBe(false);
    b.release(q);
  });

  test('shutdown wakes getters and putters blocked in other threads', async () => {
    const empty = b.queueNew(0, 'fifo');
    const full = b.queueNew(1, 'fifo');
    b.queuePut(full, encode([]), 0);
    const getter = inWorker('return backend.queueGet(d.q, 20000);', { q: empty });
    const putter = inWorker('return backend.queuePut(d.q, new Uint8Array(4), 20000);', { q: full });
    await delay(100);
    b.queueShutdown(empty, false);
    b.queueShutdown(full, false);
    expect(await getter).toBe(GetStatus.ShutDown);
    expect(await putter).toBe(PutStatus.ShutDown);
    expect(b.queueSize(full)).toBe(1);
    b.release(empty);
    b.release(full);
  });

  test('the handles in dropped items are released: shutdown(immediate) and freeing the queue', () => {
    const base = b.liveObjects();
    const q = b.queueNew(0, 'fifo');
    const [l1, l2, l3] = [b.lockNew(), b.lockNew(), b.lockNew()];
    b.queuePut(q, encode([l1, l2], [9, 9]), 0); // the item now owns l1 and l2
    b.queuePut(q, encode([l3]), 0);
    b.queueShutdown(q, true);
    expect([l1, l2, l3].map((h) => b.kindOf(h))).toEqual([undefined, undefined, undefined]);
    b.release(q);
    expect(b.liveObjects()).toBe(base);

    const q2 = b.queueNew(0, 'fifo');
    const inner = b.queueNew(0, 'fifo');
    const v = b.valueNew('i32', 0);
    b.queuePut(inner, encode([v]), 0); // inner owns v
    b.queuePut(q2, encode([inner]), 0); // q2 owns inner
    b.release(q2);
    expect(b.kindOf(inner)).toBeUndefined();
    expect(b.kindOf(v)).toBeUndefined();
    expect(b.liveObjects()).toBe(base);
  });

  test('a get hands the item references to the caller; a failed put keeps none', () => {
    const base = b.liveObjects();
    const q = b.queueNew(1, 'fifo');
    const l = b.lockNew();
    b.queuePut(q, encode([l]), 0);
    const other = b.lockNew();
    expect(b.queuePut(q, encode([other]), 0)).toBe(PutStatus.Full);
    expect(b.kindOf(other)).toBe('lock'); // still the caller's
    b.release(other);
    const got = b.queueGet(q, 0) as Uint8Array;
    b.release(q); // the queue is empty: l belongs to us now
    expect(new DataView(got.buffer).getUint32(4, true)).toBe(l);
    expect(b.kindOf(l)).toBe('lock');
    b.release(l);
    expect(b.liveObjects()).toBe(base);
  });

  test('large items and a growing arena travel between threads', async () => {
    const q = b.queueNew(0, 'fifo');
    const ready = b.valueNew('i32', 0);
    // The worker attaches first, then this thread's puts grow the shared memory past what it saw.
    const sum = inWorker(
      `let sum = 0, count = 0;
       backend.valueSet(d.ready, 1);
       for (;;) {
         const item = backend.queueGet(d.q, 20000);
         if (typeof item === 'number') return [count, sum, item];
         count++;
         for (let i = 4; i < item.length; i += 997) sum += item[i];
       }`,
      { q, ready },
    );
    while (b.valueGet(ready) === 0) await delay(5);
    let expected = 0;
    const count = 40;
    for (let k = 0; k < count; k++) {
      const payload = new Uint8Array(256 * 1024 + k).fill(k + 1);
      for (let i = 0; i < payload.length; i += 997) expected += payload[i];
      expect(b.queuePut(q, encode([], payload), -1)).toBe(PutStatus.Ok);
    }
    b.queueShutdown(q, false);
    expect(await sum).toEqual([count, expected, GetStatus.ShutDown]);
    b.release(q);
    b.release(ready);
  });

  test('mpmc: every item arrives exactly once across 2 producers and 2 consumers', async () => {
    const q = b.queueNew(16, 'fifo');
    const n = 20_000 * STRESS;
    const producer = `
      const item = new Uint8Array(8);
      const view = new DataView(item.buffer);
      for (let i = 0; i < d.n; i++) {
        view.setUint32(4, d.id * d.n + i, true);
        if (backend.queuePut(d.q, item, -1) !== 0) throw new Error('put failed');
      }
      return true;`;
    const consumer = `
      let count = 0, sum = 0;
      for (;;) {
        const item = backend.queueGet(d.q, -1);
        if (typeof item === 'number') return [count, sum];
        const value = new DataView(item.buffer).getUint32(4, true);
        if (value === 0xffffffff) return [count, sum];
        count++;
        sum += value;
        backend.queueTaskDone(d.q);
      }`;
    const consumers = [inWorker(consumer, { q }), inWorker(consumer, { q })];
    await Promise.all([inWorker(producer, { q, n, id: 0 }), inWorker(producer, { q, n, id: 1 })]);
    const stop = encode([], [0xff, 0xff, 0xff, 0xff]);
    b.queuePut(q, stop, -1);
    b.queuePut(q, stop, -1);
    const results = (await Promise.all(consumers)) as [number, number][];
    const total = 2 * n;
    expect(results[0][0] + results[1][0]).toBe(total);
    expect(results[0][1] + results[1][1]).toBe((total * (total - 1)) / 2);
    expect(b.queueSize(q)).toBe(0);
    b.release(q);
  });
});

/** A priority key (types.ts format) for a number, a string, or an array of them. */
function pkey(item: number | string | readonly (number | string)[]): Uint8Array {
  const out: number[] = [];
  const element = (tag: number, payload: ArrayLike<number>): void => {
    const n = payload.length;
    out.push(tag, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    for (let i = 0; i < n; i++) out.push(payload[i]);
  };
  const write = (x: number | string | readonly (number | string)[]): void => {
    if (typeof x === 'number') {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, x === 0 ? 0 : x);
      // Order-preserving: set the sign bit of positives, invert every bit of negatives.
      if ((bytes[0] & 0x80) !== 0) bytes.forEach((v, i) => (bytes[i] = ~v & 0xff));
      else bytes[0] |= 0x80;
      element(0x01, bytes);
    } else if (typeof x === 'string') {
      element(0x02, new TextEncoder().encode(x));
    } else {
      element(0x03, []);
      for (const e of x) write(e);
      element(0x04, []);
    }
  };
  write(item);
  return new Uint8Array(out);
}

/** The payload byte after an empty handle header (items made by `encode([], [n])`). */
const payloadOf = (got: Uint8Array | GetStatus): number => (got as Uint8Array)[4];

/** Drains a queue with non-blocking gets: the first payload byte of each item. */
function drain(q: Handle): number[] {
  const out: number[] = [];
  for (;;) {
    const got = b.queueGet(q, 0);
    if (typeof got === 'number') return out;
    out.push(payloadOf(got));
  }
}

describe('Queue flavors', () => {
  test('lifo: the last item put comes out first', () => {
    const q = b.queueNew(0, 'lifo');
    for (const n of [1, 2, 3]) expect(b.queuePut(q, encode([], [n]), 0)).toBe(PutStatus.Ok);
    expect(payloadOf(b.queueGet(q, 0))).toBe(3);
    b.queuePut(q, encode([], [4]), 0);
    expect(drain(q)).toEqual([4, 2, 1]);
    expect(b.queueSize(q)).toBe(0);
    b.queuePut(q, encode([], [5]), 0);
    expect(drain(q)).toEqual([5]);
    b.release(q);
  });

  test('lifo: bounded, with task tracking and shutdown like fifo', () => {
    const q = b.queueNew(2, 'lifo');
    b.queuePut(q, encode([], [1]), 0);
    b.queuePut(q, encode([], [2]), 0);
    expect(b.queuePut(q, encode([], [3]), 0)).toBe(PutStatus.Full);
    expect(b.queueJoin(q, 0)).toBe(false);
    b.queueShutdown(q, false);
    expect(b.queuePut(q, encode([], [3]), 0)).toBe(PutStatus.ShutDown);
    expect(drain(q)).toEqual([2, 1]);
    expect(b.queueGet(q, -1)).toBe(GetStatus.ShutDown);
    b.release(q);
  });

  test('priority: numbers come out smallest first', () => {
    const q = b.queueNew(0, 'priority');
    const keys = [5, -1.5, 3, 0, 1e9, 2, -1e9, 4];
    keys.forEach((k, i) => expect(b.queuePut(q, encode([], [i]), 0, pkey(k))).toBe(PutStatus.Ok));
    expect(b.queueSize(q)).toBe(keys.length);
    const order = drain(q).map((i) => keys[i]);
    expect(order).toEqual([...keys].sort((x, y) => x - y));
    b.release(q);
  });

  test('priority: strings in code point order', () => {
    const q = b.queueNew(0, 'priority');
    const keys = ['pear', 'apple', 'Zebra', 'äpfel', '', 'apples', 'app'];
    keys.forEach((k, i) => b.queuePut(q, encode([], [i]), 0, pkey(k)));
    const order = drain(q).map((i) => keys[i]);
    expect(order).toEqual(['', 'Zebra', 'app', 'apple', 'apples', 'pear', 'äpfel']);
    b.release(q);
  });

  test('priority: tuples element by element, a shorter tuple first', () => {
    const q = b.queueNew(0, 'priority');
    const keys: (number | string)[][] = [[1, 'b'], [1, 'a'], [0, 'z'], [1], [1, 'a', 0], [], [2]];
    keys.forEach((k, i) => b.queuePut(q, encode([], [i]), 0, pkey(k)));
    const order = drain(q).map((i) => keys[i]);
    expect(order).toEqual([[], [0, 'z'], [1], [1, 'a'], [1, 'a', 0], [1, 'b'], [2]]);
    b.release(q);
  });

  test('priority: equal keys leave in put order', () => {
    const q2 = b.queueNew(0, 'priority');
    for (let i = 0; i < 20; i++) expect(b.queuePut(q2, encode([], [i]), 0, pkey(i % 3))).toBe(PutStatus.Ok);
    const order = drain(q2);
    expect(order).toEqual([0, 3, 6, 9, 12, 15, 18, 1, 4, 7, 10, 13, 16, 19, 2, 5, 8, 11, 14, 17]);
    b.release(q2);
  });

  test('priority: an incomparable key is refused and leaves the queue as it was', () => {
    const base = b.liveObjects();
    const q = b.queueNew(0, 'priority');
    for (const [i, k] of [3, 1, 2].entries()) b.queuePut(q, encode([], [i]), 0, pkey(k));
    const e = b.epoch(q);
    const l = b.lockNew();
    expect(b.queuePut(q, encode([l], [9]), 0, pkey('a string'))).toBe(PutStatus.Incomparable);
    expect(b.queuePut(q, encode([l], [9]), -1, pkey([1, 2]))).toBe(PutStatus.Incomparable);
    expect(b.kindOf(l)).toBe('lock'); // still the caller's
    expect(b.queueSize(q)).toBe(3);
    expect(b.epoch(q)).toBe(e);
    expect(b.queueJoin(q, 0)).toBe(false);
    for (let i = 0; i < 3; i++) b.queueTaskDone(q);
    expect(b.queueJoin(q, 0)).toBe(true); // the refused puts added no task
    expect(drain(q)).toEqual([1, 2, 0]);
    // Empty now: any key goes in.
    expect(b.queuePut(q, encode([], [7]), 0, pkey('now fine'))).toBe(PutStatus.Ok);
    expect(drain(q)).toEqual([7]);
    b.release(l);
    b.release(q);
    expect(b.liveObjects()).toBe(base);
  });

  test('priority: tuples differing at an incomparable element are refused only when compared on the way in', () => {
    const q = b.queueNew(0, 'priority');
    expect(b.queuePut(q, encode([], [0]), 0, pkey([1, 'x']))).toBe(PutStatus.Ok);
    expect(b.queuePut(q, encode([], [1]), 0, pkey([2, 5]))).toBe(PutStatus.Ok);
    // Meets only [1, 'x'] (the root) on its way in, never [2, 5]: accepted.
    expect(b.queuePut(q, encode([], [2]), 0, pkey([2, 'y']))).toBe(PutStatus.Ok);
    // Passes [2, 5], then meets [1, 'x']: equal first elements, then 5 against 'x'.
    expect(b.queuePut(q, encode([], [3]), 0, pkey([1, 5]))).toBe(PutStatus.Incomparable);
    expect(b.queueSize(q)).toBe(3);
    // The pop meets [2, 5] against [2, 'y']: incomparable, so put order decides.
    expect(drain(q)).toEqual([0, 1, 2]);
    b.release(q);
  });

  test('priority: many items, heap growth, and a bound', () => {
    const q = b.queueNew(0, 'priority');
    const n = 2000;
    let seed = 12345;
    const keys: number[] = [];
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      keys.push(seed % 1000);
      const item = encode([], [0, 0]);
      new DataView(item.buffer).setUint16(4, i, true);
      expect(b.queuePut(q, item, 0, pkey(keys[i]))).toBe(PutStatus.Ok);
    }
    const order: number[] = [];
    for (;;) {
      const got = b.queueGet(q, 0);
      if (typeof got === 'number') break;
      order.push(new DataView(got.buffer).getUint16(4, true));
    }
    const expected = keys.map((k, i) => [k, i]).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((p) => p[1]);
    expect(order).toEqual(expected);
    b.release(q);

    const bounded = b.queueNew(1, 'priority');
    expect(b.queuePut(bounded, encode([], [1]), 0, pkey(1))).toBe(PutStatus.Ok);
    expect(b.queuePut(bounded, encode([], [2]), 20, pkey(0))).toBe(PutStatus.Full);
    expect(b.queuePut(bounded, encode([], [2]), 0, pkey('x'))).toBe(PutStatus.Full); // full before compared
    b.release(bounded);
  });

  test('priority: dropped items release their handles (shutdown(immediate), freeing the queue)', () => {
    const base = b.liveObjects();
    const q = b.queueNew(0, 'priority');
    const ls = [b.lockNew(), b.lockNew(), b.lockNew()];
    ls.forEach((l, i) => b.queuePut(q, encode([l]), 0, pkey(3 - i)));
    b.queueShutdown(q, true);
    expect(ls.map((l) => b.kindOf(l))).toEqual([undefined, undefined, undefined]);
    expect(b.queueSize(q)).toBe(0);
    expect(b.queueJoin(q, 0)).toBe(true);
    expect(b.queuePut(q, encode([]), 0, pkey(1))).toBe(PutStatus.ShutDown);
    b.release(q);
    const q2 = b.queueNew(0, 'priority');
    const v = b.valueNew('i32', 0);
    b.queuePut(q2, encode([v]), 0, pkey(['a', 1]));
    b.queuePut(q2, encode([]), 0, pkey(['a', 0]));
    b.release(q2);
    expect(b.kindOf(v)).toBeUndefined();
    expect(b.liveObjects()).toBe(base);
  });

  test('priority: a get in another thread wakes on a put and takes the smallest', async () => {
    const q = b.queueNew(0, 'priority');
    const got = inWorker('const a = backend.queueGet(d.q, 20000); const c = backend.queueGet(d.q, 20000); return [a[4], c[4]];', { q });
    await delay(100);
    b.queuePut(q, encode([], [9]), 0, pkey(9));
    b.queuePut(q, encode([], [1]), 0, pkey(1));
    const [first, second] = (await got) as number[];
    expect(second).toBe(first === 9 ? 1 : 9); // the first get may have run before the second put
    b.release(q);
  });

  test('simple: unbounded FIFO whatever maxsize, with shutdown', async () => {
    const q = b.queueNew(1, 'simple'); // maxsize is ignored
    for (let i = 0; i < 50; i++) expect(b.queuePut(q, encode([], [i]), 0)).toBe(PutStatus.Ok);
    expect(b.queueSize(q)).toBe(50);
    expect(drain(q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const getter = inWorker('return backend.queueGet(d.q, 20000);', { q });
    await delay(100);
    b.queueShutdown(q, false);
    expect(await getter).toBe(GetStatus.ShutDown);
    expect(b.queuePut(q, encode([]), 0)).toBe(PutStatus.ShutDown);
    b.release(q);
  });
});

describe('RLock', () => {
  test('smoke: the owner re-enters without blocking; each release drops one level', () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    expect(b.kindOf(r)).toBe('rlock');
    expect(b.rlockLocked(r)).toBe(false);
    expect(b.rlockIsOwned(r, me)).toBe(false);
    expect(b.rlockAcquire(r, me, 0)).toBe(true);
    expect(b.rlockAcquire(r, me, 0)).toBe(true);
    expect(b.rlockAcquire(r, me, -1)).toBe(true);
    expect(b.rlockLocked(r)).toBe(true);
    expect(b.rlockIsOwned(r, me)).toBe(true);
    expect(b.rlockIsOwned(r, other)).toBe(false);
    expect(b.rlockAcquire(r, other, 0)).toBe(false);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockLocked(r)).toBe(true);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockLocked(r)).toBe(false);
    expect(b.rlockIsOwned(r, me)).toBe(false);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.NotOwner);
    expect(b.rlockAcquire(r, other, 0)).toBe(true);
    expect(b.rlockIsOwned(r, other)).toBe(true);
    b.rlockRelease(r, other);
    for (const h of [r, me, other]) b.release(h);
  });

  test('release by a thread that does not own it is NotOwner and changes nothing', () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    b.rlockAcquire(r, me, -1);
    const e = b.epoch(r);
    expect(b.rlockRelease(r, other)).toBe(RlockRelease.NotOwner);
    expect(b.rlockReleaseAll(r, other)).toBe(0);
    expect(b.rlockIsOwned(r, me)).toBe(true);
    expect(b.rlockLocked(r)).toBe(true);
    expect(b.epoch(r)).toBe(e);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockLocked(r)).toBe(false);
    for (const h of [r, me, other]) b.release(h);
  });

  test('a timed acquire by another owner times out after roughly the timeout', () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    b.rlockAcquire(r, me, -1);
    const t0 = performance.now();
    expect(b.rlockAcquire(r, other, 60)).toBe(false);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.rlockIsOwned(r, me)).toBe(true);
    b.rlockRelease(r, me);
    for (const h of [r, me, other]) b.release(h);
  });

  test('releaseAll gives up every level and returns the count; acquireCount restores it', () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    for (let i = 0; i < 3; i++) b.rlockAcquire(r, me, -1);
    expect(b.rlockReleaseAll(r, me)).toBe(3);
    expect(b.rlockLocked(r)).toBe(false);
    expect(b.rlockReleaseAll(r, me)).toBe(0);
    expect(b.rlockAcquire(r, other, 0)).toBe(true);
    expect(b.rlockAcquireCount(r, me, 3, 20)).toBe(false); // held by other
    b.rlockRelease(r, other);
    expect(b.rlockAcquireCount(r, me, 3, -1)).toBe(true);
    expect(b.rlockIsOwned(r, me)).toBe(true);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockLocked(r)).toBe(true);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.rlockLocked(r)).toBe(false);
    for (const h of [r, me, other]) b.release(h);
  });

  test('the epoch moves on the release that frees it', () => {
    const me = b.threadNew('me', false);
    const r = b.rlockNew();
    b.rlockAcquire(r, me, -1);
    b.rlockAcquire(r, me, -1);
    const e = b.epoch(r);
    b.rlockRelease(r, me);
    b.rlockRelease(r, me);
    expect(b.epoch(r)).not.toBe(e);
    for (const h of [r, me]) b.release(h);
  });

  test('a blocked acquire in another thread wakes when the owner releases the last level', async () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    b.rlockAcquire(r, me, -1);
    b.rlockAcquire(r, me, -1);
    const result = inWorker(
      'const ok = backend.rlockAcquire(d.r, d.other, 20000); return [ok, backend.rlockIsOwned(d.r, d.other), backend.rlockRelease(d.r, d.other)];',
      { r, other },
    );
    await delay(60);
    b.rlockRelease(r, me);
    await delay(60);
    b.rlockRelease(r, me);
    expect(await result).toEqual([true, true, RlockRelease.Ok]);
    expect(b.rlockLocked(r)).toBe(false);
    for (const h of [r, me, other]) b.release(h);
  });

  test('mutual exclusion across threads with re-entry', async () => {
    const r = b.rlockNew();
    const v = b.valueNew('i32', 0);
    const owners = [b.threadNew('a', false), b.threadNew('b', false)];
    const n = 10_000 * STRESS;
    const body = `
      for (let i = 0; i < d.n; i++) {
        backend.rlockAcquire(d.r, d.owner, -1);
        backend.rlockAcquire(d.r, d.owner, -1);
        backend.valueSet(d.v, backend.valueGet(d.v) + 1);
        backend.rlockRelease(d.r, d.owner);
        backend.rlockRelease(d.r, d.owner);
      }
      return true;`;
    await Promise.all(owners.map((owner) => inWorker(body, { r, v, n, owner })));
    expect(b.valueGet(v)).toBe(2 * n);
    for (const h of [r, v, ...owners]) b.release(h);
  });

  test.runIf(b.name === 'native')('native: the words\' steps and the calls see one state; a step that must not finish alone changes nothing', () => {
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    const w = b.rlockWords(r);
    expect(w).toBeDefined();
    if (w === undefined) return;
    expect(w.acquire(me)).toBe(true);
    expect(b.rlockAcquire(r, me, 0)).toBe(true); // re-entry through the call
    expect(w.acquire(me)).toBe(true); // and through the step
    expect(w.acquire(other)).toBe(false);
    expect(w.release(other)).toBe(false);
    expect(b.rlockOwner(r)).toBe(me);
    expect(w.release(me)).toBe(true);
    expect(b.rlockReleaseAll(r, me)).toBe(2); // the count the steps kept
    expect(w.locked()).toBe(false);
    expect(b.rlockAcquireCount(r, me, 2, 0)).toBe(true);
    expect(w.release(me)).toBe(true);
    // A watcher: the last level's step must leave it to the call, which moves the epoch.
    expect(b.rlockMarkWaiting(r)).toBe(true);
    expect(w.release(me)).toBe(false);
    expect(b.rlockIsOwned(r, me)).toBe(true);
    const e = b.epoch(r);
    expect(b.rlockRelease(r, me)).toBe(RlockRelease.Ok);
    expect(b.epoch(r)).not.toBe(e);
    expect(w.locked()).toBe(false);
    expect(b.rlockMarkWaiting(r)).toBe(false);
    expect(w.acquire(other)).toBe(true);
    expect(w.release(other)).toBe(true);
    expect(b.rlockOwner(r)).toBe(0);
    for (const h of [r, me, other]) b.release(h);
  });
});

describe('Condition', () => {
  test('notify serves tickets oldest first and says how many', () => {
    const c = b.condNew();
    expect(b.kindOf(c)).toBe('condition');
    expect(b.condNotify(c, 1)).toBe(0);
    const ts = [b.condRegister(c), b.condRegister(c), b.condRegister(c)];
    expect(new Set(ts).size).toBe(3);
    for (const t of ts) expect(t).toBeGreaterThan(0);
    expect(b.condWaiting(c)).toBe(3);
    expect(b.condPoll(c, ts[0])).toBe(false);
    expect(b.condNotify(c, 2)).toBe(2);
    expect(b.condWaiting(c)).toBe(1);
    expect(b.condPoll(c, ts[2])).toBe(false);
    expect(b.condPoll(c, ts[1])).toBe(true);
    expect(b.condWait(c, ts[0], 1000)).toBe(CondWait.Notified); // at once
    expect(b.condNotifyAll(c)).toBe(1);
    expect(b.condWait(c, ts[2], -1)).toBe(CondWait.Notified);
    expect(b.condWaiting(c)).toBe(0);
    expect(b.condNotifyAll(c)).toBe(0);
    b.release(c);
  });

  test('a wait times out after roughly the timeout and withdraws its ticket', () => {
    const c = b.condNew();
    const t = b.condRegister(c);
    const t0 = performance.now();
    expect(b.condWait(c, t, 60)).toBe(CondWait.TimedOut);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.condWaiting(c)).toBe(0);
    expect(b.condNotify(c, 1)).toBe(0); // nobody left to notify
    b.release(c);
  });

  test('cancel withdraws a waiting ticket, or reports a notification it had got', () => {
    const c = b.condNew();
    const [t1, t2, t3] = [b.condRegister(c), b.condRegister(c), b.condRegister(c)];
    expect(b.condCancel(c, t1)).toBe(false);
    expect(b.condWaiting(c)).toBe(2);
    expect(b.condNotify(c, 1)).toBe(1); // t1 is gone: t2 gets it
    expect(b.condCancel(c, t2)).toBe(true);
    expect(b.condWaiting(c)).toBe(1);
    expect(b.condNotify(c, 5)).toBe(1);
    expect(b.condPoll(c, t3)).toBe(true);
    b.release(c);
  });

  test('the epoch moves on a notify that wakes someone, not on one that finds nobody', () => {
    const c = b.condNew();
    const e0 = b.epoch(c);
    b.condNotifyAll(c);
    expect(b.epoch(c)).toBe(e0);
    const t = b.condRegister(c);
    b.condNotify(c, 1);
    expect(b.epoch(c)).not.toBe(e0);
    b.condPoll(c, t);
    b.release(c);
  });

  test('a wait in another thread wakes on notify; notifyAll wakes every waiter', async () => {
    const c = b.condNew();
    const t = b.condRegister(c);
    const one = inWorker('return backend.condWait(d.c, d.t, 20000);', { c, t });
    await delay(100);
    expect(b.condNotify(c, 1)).toBe(1);
    expect(await one).toBe(CondWait.Notified);
    const ts = [b.condRegister(c), b.condRegister(c)];
    const many = ts.map((t) => inWorker('return backend.condWait(d.c, d.t, 20000);', { c, t }));
    await delay(100);
    expect(b.condNotifyAll(c)).toBe(2);
    expect(await Promise.all(many)).toEqual([CondWait.Notified, CondWait.Notified]);
    b.release(c);
  });

  test('linearizable: each notification is counted once, by the notifier or as a timeout', async () => {
    const c = b.condNew();
    const stop = b.valueNew('i32', 0);
    const notifier = inWorker(
      `let given = 0;
       while (backend.valueGet(d.stop) === 0) given += backend.condNotify(d.c, 1);
       return given;`,
      { c, stop },
    );
    let notified = 0;
    let timedOut = 0;
    const rounds = 400 * STRESS;
    for (let i = 0; i < rounds; i++) {
      const t = b.condRegister(c);
      if (b.condWait(c, t, 0.2) === CondWait.Notified) notified++;
      else timedOut++;
    }
    b.valueSet(stop, 1);
    const given = (await notifier) as number;
    expect(notified + timedOut).toBe(rounds);
    expect(given).toBe(notified);
    expect(b.condWaiting(c)).toBe(0);
    b.release(c);
    b.release(stop);
  });
});

describe('Semaphore', () => {
  test('smoke: acquire takes permits until none is left; release adds n', () => {
    const s = b.semNew(2, -1);
    expect(b.kindOf(s)).toBe('semaphore');
    expect(b.semValue(s)).toBe(2);
    expect(b.semAcquire(s, 0)).toBe(true);
    expect(b.semAcquire(s, -1)).toBe(true);
    expect(b.semAcquire(s, 0)).toBe(false);
    expect(b.semValue(s)).toBe(0);
    expect(b.semRelease(s, 3)).toBe(true);
    expect(b.semValue(s)).toBe(3);
    expect(b.semRelease(s, 100)).toBe(true); // unbounded
    expect(b.semValue(s)).toBe(103);
    b.release(s);
  });

  test('a timed acquire with no permit times out after roughly the timeout', () => {
    const s = b.semNew(0, -1);
    const t0 = performance.now();
    expect(b.semAcquire(s, 60)).toBe(false);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.semValue(s)).toBe(0);
    b.release(s);
  });

  test('bounded: a release past the bound is false and changes nothing', () => {
    const s = b.semNew(1, 2);
    expect(b.semRelease(s, 1)).toBe(true);
    const e = b.epoch(s);
    expect(b.semRelease(s, 1)).toBe(false);
    expect(b.semValue(s)).toBe(2);
    expect(b.epoch(s)).toBe(e);
    b.semAcquire(s, 0);
    expect(b.semRelease(s, 2)).toBe(false);
    expect(b.semValue(s)).toBe(1);
    expect(b.semRelease(s, 1)).toBe(true);
    expect(b.epoch(s)).not.toBe(e); // a release moves the epoch
    b.release(s);
  });

  test('a blocked acquire in another thread wakes on release', async () => {
    const s = b.semNew(0, -1);
    const got = inWorker('return [backend.semAcquire(d.s, 20000), backend.semAcquire(d.s, 20000)];', { s });
    await delay(100);
    b.semRelease(s, 2);
    expect(await got).toEqual([true, true]);
    expect(b.semValue(s)).toBe(0);
    b.release(s);
  });

  test('permits are neither lost nor duplicated across threads', async () => {
    const s = b.semNew(1, 1);
    const v = b.valueNew('i32', 0);
    const n = 5_000 * STRESS;
    const body = `
      for (let i = 0; i < d.n; i++) {
        backend.semAcquire(d.s, -1);
        backend.valueSet(d.v, backend.valueGet(d.v) + 1);
        if (!backend.semRelease(d.s, 1)) throw new Error('bound exceeded');
      }
      return true;`;
    await Promise.all([inWorker(body, { s, v, n }), inWorker(body, { s, v, n })]);
    expect(b.valueGet(v)).toBe(2 * n);
    expect(b.semValue(s)).toBe(1);
    b.release(s);
    b.release(v);
  });
});

describe('Event', () => {
  test('smoke: set, isSet, wait, clear', () => {
    const ev = b.eventNew();
    expect(b.kindOf(ev)).toBe('event');
    expect(b.eventIsSet(ev)).toBe(false);
    expect(b.eventWait(ev, 0)).toBe(false);
    const e = b.epoch(ev);
    b.eventSet(ev);
    expect(b.epoch(ev)).not.toBe(e);
    b.eventSet(ev); // idempotent
    expect(b.eventIsSet(ev)).toBe(true);
    expect(b.eventWait(ev, 0)).toBe(true);
    expect(b.eventWait(ev, -1)).toBe(true);
    b.eventClear(ev);
    b.eventClear(ev);
    expect(b.eventIsSet(ev)).toBe(false);
    expect(b.eventWait(ev, 0)).toBe(false);
    b.release(ev);
  });

  test('a wait times out after roughly the timeout', () => {
    const ev = b.eventNew();
    const t0 = performance.now();
    expect(b.eventWait(ev, 60)).toBe(false);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    b.release(ev);
  });

  test('waits in other threads wake on set', async () => {
    const ev = b.eventNew();
    const waiters = [0, 1].map(() => inWorker('return backend.eventWait(d.ev, 20000);', { ev }));
    await delay(100);
    b.eventSet(ev);
    expect(await Promise.all(waiters)).toEqual([true, true]);
    b.release(ev);
  });

  test('a waiter that was waiting when the flag was set returns true even if it is cleared at once', async () => {
    const ev = b.eventNew();
    const ready = b.valueNew('i32', 0);
    const waiter = inWorker('backend.valueSet(d.ready, 1); return backend.eventWait(d.ev, 20000);', { ev, ready });
    while (b.valueGet(ready) === 0) await delay(5);
    await delay(150); // from the flag to the wait: a few loads
    b.eventSet(ev);
    b.eventClear(ev);
    expect(await waiter).toBe(true);
    b.release(ev);
    b.release(ready);
  });
});

describe('Barrier', () => {
  test('3 workers: indices 0..2 in arrival order, and the barrier is reusable', async () => {
    const br = b.barrierNew(3);
    expect(b.kindOf(br)).toBe('barrier');
    expect(b.barrierParties(br)).toBe(3);
    const body = `
      const out = [];
      for (let round = 0; round < 3; round++) {
        const t = backend.barrierArrive(d.br, 20000);
        if (t <= 0) throw new Error('arrive: ' + t);
        out.push(backend.barrierWait(d.br, t, 20000));
      }
      return out;`;
    const results = (await Promise.all([0, 1, 2].map(() => inWorker(body, { br })))) as number[][];
    for (let round = 0; round < 3; round++) {
      expect(results.map((r) => r[round]).sort()).toEqual([0, 1, 2]);
    }
    expect(b.barrierBroken(br)).toBe(false);
    expect(b.barrierNWaiting(br)).toBe(0);
    b.release(br);
  });

  test('single thread: arrival order gives the index; the last arrival is released at once', () => {
    const br = b.barrierNew(3);
    const t0 = b.barrierArrive(br, 0);
    const t1 = b.barrierArrive(br, -1);
    expect(b.barrierNWaiting(br)).toBe(2);
    expect(b.barrierWait(br, t0, 0)).toBe(BarrierStatus.Waiting);
    const e = b.epoch(br);
    const t2 = b.barrierArrive(br, 0);
    expect(b.epoch(br)).not.toBe(e); // release moved it
    expect(b.barrierNWaiting(br)).toBe(0);
    expect(b.barrierWait(br, t2, 0)).toBe(2);
    expect(b.barrierWait(br, t1, 0)).toBe(1);
    // Still draining (t0 has not left): a new arrival waits.
    expect(b.barrierArrive(br, 0)).toBe(BarrierStatus.Waiting);
    const s0 = performance.now();
    expect(b.barrierArrive(br, 40)).toBe(BarrierStatus.Waiting);
    expect(performance.now() - s0).toBeGreaterThanOrEqual(30);
    expect(b.barrierWait(br, t0, -1)).toBe(0);
    // Drained: filling again.
    const n0 = b.barrierArrive(br, 0);
    expect(n0).toBeGreaterThan(0);
    expect(b.barrierNWaiting(br)).toBe(1);
    expect(b.barrierCancel(br, n0)).toBe(-1);
    b.release(br);
  });

  test('a barrier of one party releases its only arrival', () => {
    const br = b.barrierNew(1);
    for (let i = 0; i < 3; i++) {
      const t = b.barrierArrive(br, 0);
      expect(b.barrierWait(br, t, 0)).toBe(0);
    }
    b.release(br);
  });

  test('a wait that times out breaks the barrier for everyone until reset', async () => {
    const br = b.barrierNew(3);
    const other = inWorker('const t = backend.barrierArrive(d.br, 20000); return backend.barrierWait(d.br, t, 20000);', { br });
    while (b.barrierNWaiting(br) === 0) await delay(5);
    const t = b.barrierArrive(br, 0);
    const t0 = performance.now();
    expect(b.barrierWait(br, t, 60)).toBe(BarrierStatus.Broken);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    expect(b.barrierBroken(br)).toBe(true);
    expect(await other).toBe(BarrierStatus.Broken);
    expect(b.barrierArrive(br, 0)).toBe(BarrierStatus.Broken);
    expect(b.barrierArrive(br, -1)).toBe(BarrierStatus.Broken);
    b.barrierReset(br);
    expect(b.barrierBroken(br)).toBe(false);
    const ts = [b.barrierArrive(br, 0), b.barrierArrive(br, 0), b.barrierArrive(br, 0)];
    expect(ts.map((x) => b.barrierWait(br, x, 0))).toEqual([0, 1, 2]);
    b.release(br);
  });

  test('abort wakes a waiter in another thread with Broken', async () => {
    const br = b.barrierNew(2);
    const waiter = inWorker('const t = backend.barrierArrive(d.br, 20000); return backend.barrierWait(d.br, t, 20000);', { br });
    while (b.barrierNWaiting(br) === 0) await delay(5);
    const e = b.epoch(br);
    b.barrierAbort(br);
    expect(b.epoch(br)).not.toBe(e);
    expect(await waiter).toBe(BarrierStatus.Broken);
    expect(b.barrierBroken(br)).toBe(true);
    expect(b.barrierNWaiting(br)).toBe(0);
    b.barrierReset(br);
    expect(b.barrierBroken(br)).toBe(false);
    b.release(br);
  });

  test('reset breaks the current waiters, then the barrier fills again', async () => {
    const br = b.barrierNew(3);
    const waiter = inWorker('const t = backend.barrierArrive(d.br, 20000); return backend.barrierWait(d.br, t, 20000);', { br });
    while (b.barrierNWaiting(br) === 0) await delay(5);
    const mine = b.barrierArrive(br, 0);
    b.barrierReset(br);
    expect(b.barrierBroken(br)).toBe(false); // resetting, not broken
    expect(b.barrierWait(br, mine, 0)).toBe(BarrierStatus.Broken);
    expect(await waiter).toBe(BarrierStatus.Broken);
    // Everyone left: filling, not broken.
    const ts = [b.barrierArrive(br, 0), b.barrierArrive(br, 0)];
    expect(b.barrierNWaiting(br)).toBe(2);
    for (const t of ts) b.barrierCancel(br, t);
    expect(b.barrierNWaiting(br)).toBe(0);
    b.release(br);
  });

  test('cancel withdraws a waiting arrival as if it never arrived; after release it returns the index', () => {
    const br = b.barrierNew(3);
    const a = b.barrierArrive(br, 0);
    const c = b.barrierArrive(br, 0);
    expect(b.barrierCancel(br, a)).toBe(-1);
    expect(b.barrierNWaiting(br)).toBe(1);
    const d = b.barrierArrive(br, 0);
    expect(b.barrierWait(br, d, 0)).toBe(BarrierStatus.Waiting); // 2 of 3
    const e = b.barrierArrive(br, 0); // releases
    expect(b.barrierCancel(br, c)).toBe(0); // released already: its index
    expect(b.barrierWait(br, d, 0)).toBe(1);
    expect(b.barrierWait(br, e, 0)).toBe(2);
    expect(b.barrierBroken(br)).toBe(false);
    // Cancelling while broken leaves it broken.
    const f = b.barrierArrive(br, 0);
    b.barrierAbort(br);
    expect(b.barrierCancel(br, f)).toBe(-1);
    expect(b.barrierBroken(br)).toBe(true);
    b.barrierReset(br);
    expect(b.barrierBroken(br)).toBe(false);
    b.release(br);
  });

  test('an arrival blocked while the barrier drains gets in once the last one leaves', async () => {
    const br = b.barrierNew(2);
    const t0 = b.barrierArrive(br, 0);
    const t1 = b.barrierArrive(br, 0);
    const late = inWorker(
      'const t = backend.barrierArrive(d.br, 20000); return [t > 0, backend.barrierNWaiting(d.br), backend.barrierCancel(d.br, t)];',
      { br },
    );
    await delay(100);
    expect(b.barrierWait(br, t1, 0)).toBe(1);
    expect(b.barrierWait(br, t0, 0)).toBe(0);
    expect(await late).toEqual([true, 1, -1]);
    expect(b.barrierNWaiting(br)).toBe(0);
    b.release(br);
  });
});

describe('Thread records', () => {
  test('life cycle: New, Running, Done, with name, daemon, native id and outcome', () => {
    const base = b.liveObjects();
    const t = b.threadNew('Thread-1', false);
    expect(b.threadName(t)).toBe('Thread-1');
    expect(b.threadDaemon(t)).toBe(false);
    expect(b.threadState(t)).toBe(ThreadState.New);
    expect(b.threadOutcome(t)).toBeUndefined();
    expect(b.threadsRunning()).not.toContain(t);
    b.threadSetName(t, 'wörker ☃');
    expect(b.threadName(t)).toBe('wörker ☃');
    b.threadSetDaemon(t, true);
    expect(b.threadDaemon(t)).toBe(true);
    b.threadMarkRunning(t, 12345);
    expect(b.threadState(t)).toBe(ThreadState.Running);
    expect(b.threadNativeId(t)).toBe(12345);
    expect(b.threadsRunning()).toContain(t);
    expect(b.threadJoin(t, 0)).toBe(false);
    expect(b.threadJoin(t, 20)).toBe(false);
    b.threadFinish(t, encode([], [1, 2]), true);
    expect(b.threadState(t)).toBe(ThreadState.Done);
    expect(b.threadJoin(t, 0)).toBe(true);
    expect(b.threadJoin(t, -1)).toBe(true);
    const outcome = b.threadOutcome(t);
    expect(outcome?.failed).toBe(true);
    expect([...(outcome?.data ?? [])]).toEqual([0, 0, 0, 0, 1, 2]);
    expect([...(b.threadOutcome(t)?.data ?? [])]).toEqual([0, 0, 0, 0, 1, 2]); // same bytes to every caller
    expect(b.threadsRunning()).not.toContain(t);
    b.release(t);
    expect(b.liveObjects()).toBe(base);
  });

  test('outcomes of every size, returned or thrown, read back as their own bytes', () => {
    // The native adapter copies an outcome through a 4 KiB scratch array, and takes
    // the addon's Buffer for a larger one: both ways, and a read between two others.
    const payloads = [0, 1, 4091, 4092, 4093, 10_000].map((n) => Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
    const records = payloads.map((payload, i) => {
      const t = b.threadNew(`t${i}`, false);
      b.threadMarkRunning(t, 1);
      b.threadFinish(t, encode([], payload), i % 2 === 1);
      return t;
    });
    const first = records.map((t) => b.threadOutcome(t));
    records.forEach((t, i) => {
      const again = b.threadOutcome(t);
      expect(again?.failed).toBe(i % 2 === 1);
      expect([...(again?.data ?? [])]).toEqual([0, 0, 0, 0, ...payloads[i]]);
      expect([...(first[i]?.data ?? [])]).toEqual([0, 0, 0, 0, ...payloads[i]]);
    });
    for (const t of records) b.release(t);
  });

  test('an empty name is allowed', () => {
    const t = b.threadNew('', true);
    expect(b.threadName(t)).toBe('');
    expect(b.threadDaemon(t)).toBe(true);
    b.release(t);
  });

  test('threadsRunning lists running records in order of handle', () => {
    const ts = [b.threadNew('a', false), b.threadNew('b', false), b.threadNew('c', false)];
    for (const t of [ts[2], ts[0], ts[1]]) b.threadMarkRunning(t, 1);
    const running = b.threadsRunning().filter((h) => ts.includes(h));
    expect(running).toEqual([...ts].sort((x, y) => x - y));
    for (const t of ts) b.threadFinish(t, encode([]), false);
    expect(b.threadsRunning().filter((h) => ts.includes(h))).toEqual([]);
    for (const t of ts) b.release(t);
  });

  test('a join in another thread wakes on finish; a rename is seen everywhere', async () => {
    const t = b.threadNew('before', false);
    b.threadMarkRunning(t, b.osThreadId());
    const joined = inWorker('const ok = backend.threadJoin(d.t, 20000); return [ok, backend.threadName(d.t), [...backend.threadOutcome(d.t).data]];', { t });
    await delay(100);
    b.threadSetName(t, 'after');
    b.threadFinish(t, encode([], [5]), false);
    expect(await joined).toEqual([true, 'after', [0, 0, 0, 0, 5]]);
    b.release(t);
  });

  test('freeing a record releases the handles in its outcome', () => {
    const base = b.liveObjects();
    const t = b.threadNew('t', false);
    const v = b.valueNew('f64', 1);
    b.threadMarkRunning(t, 1);
    b.threadFinish(t, encode([v], [1]), false); // the record owns v now
    b.threadOutcome(t); // reading it does not take the reference
    expect(b.kindOf(v)).toBe('value');
    b.release(t);
    expect(b.kindOf(v)).toBeUndefined();
    expect(b.liveObjects()).toBe(base);
  });

  test('osThreadId is an integer, different in another thread', async () => {
    const mine = b.osThreadId();
    expect(Number.isInteger(mine)).toBe(true);
    expect(b.osThreadId()).toBe(mine);
    const theirs = await inWorker('return backend.osThreadId();');
    if (process.platform === 'linux') {
      expect(mine).toBeGreaterThan(0);
      expect(theirs).not.toBe(mine);
    }
  });
});

describe('Change notification', () => {
  test('watch fires once, after a change', async () => {
    const q = b.queueNew(0, 'fifo');
    const e = b.epoch(q);
    let calls = 0;
    const fired = new Promise<void>((resolve) => {
      expect(b.watch(q, e, () => {
        calls++;
        resolve();
      })).not.toBe(0);
    });
    await delay(20);
    expect(calls).toBe(0);
    b.queuePut(q, encode([]), 0);
    await fired;
    b.queueGet(q, 0);
    await delay(20);
    expect(calls).toBe(1);
    b.release(q);
  });

  test('watch returns 0 and never calls back when the epoch already moved', async () => {
    const q = b.queueNew(0, 'fifo');
    const e = b.epoch(q);
    b.queuePut(q, encode([]), 0);
    let called = false;
    expect(b.watch(q, e, () => (called = true))).toBe(0);
    await delay(20);
    expect(called).toBe(false);
    b.release(q);
  });

  test('unwatch cancels a pending watch, and other watches on the object still fire', async () => {
    const q = b.queueNew(0, 'fifo');
    const e = b.epoch(q);
    let cancelledCalls = 0;
    let keptCalls = 0;
    const cancelled = b.watch(q, e, () => cancelledCalls++);
    const kept = new Promise<void>((resolve) => {
      b.watch(q, e, () => {
        keptCalls++;
        resolve();
      });
    });
    b.unwatch(cancelled);
    b.unwatch(cancelled); // a no-op
    await delay(20);
    expect(keptCalls).toBe(0); // woken by nothing that changed
    b.queuePut(q, encode([]), 0);
    await kept;
    await delay(20);
    expect(cancelledCalls).toBe(0);
    expect(keptCalls).toBe(1);
    b.release(q);
  });

  test('a watch sees changes made by another thread, on each kind', async () => {
    const l = b.lockNew();
    const t = b.threadNew('w', false);
    const q = b.queueNew(0, 'fifo');
    b.lockAcquire(l, -1);
    b.threadMarkRunning(t, 1);
    const seen = [b.epoch(l), b.epoch(t), b.epoch(q)];
    const fired = [l, t, q].map(
      (h, i) =>
        new Promise<void>((resolve) => {
          expect(b.watch(h, seen[i], resolve)).not.toBe(0);
        }),
    );
    // Keep the event loop alive while the watches are pending (they do not).
    const keepAlive = setInterval(() => {}, 1000);
    await inWorker(
      `backend.lockRelease(d.l);
       backend.threadFinish(d.t, new Uint8Array(4), false);
       backend.queuePut(d.q, new Uint8Array(4), 0);
       return true;`,
      { l, t, q },
    );
    await Promise.all(fired);
    clearInterval(keepAlive);
    for (const h of [l, t, q]) b.release(h);
  });
});

describe('sleep', () => {
  test('sleep blocks for about the time asked', () => {
    const t0 = performance.now();
    b.sleep(40);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(35);
    expect(elapsed).toBeLessThan(5000);
    b.sleep(0);
  });
});

// Last: interruptAll is permanent for the whole process.
describe('interruptAll', () => {
  test('wakes threads blocked in every blocking call, now and later', async () => {
    const q = b.queueNew(0, 'fifo');
    const pq = b.queueNew(1, 'priority');
    const l = b.lockNew();
    const t = b.threadNew('never ends', false);
    const [me, other] = [b.threadNew('me', false), b.threadNew('other', false)];
    const r = b.rlockNew();
    const c = b.condNew();
    const s = b.semNew(0, -1);
    const ev = b.eventNew();
    const br = b.barrierNew(3);
    b.lockAcquire(l, -1);
    b.threadMarkRunning(t, 1);
    b.rlockAcquire(r, me, -1);
    b.queuePut(pq, encode([]), 0, new Uint8Array(0));
    const ticket = b.condRegister(c);
    const attempt = (call: string): string => `
      try { ${call}; return 'returned'; } catch (error) { return error.message; }`;
    const blocked = [
      inWorker(attempt('backend.queueGet(d.q, -1)'), { q }),
      inWorker(attempt('backend.queuePut(d.pq, new Uint8Array(4), -1, new Uint8Array(0))'), { pq }),
      inWorker(attempt('backend.lockAcquire(d.l, -1)'), { l }),
      inWorker(attempt('backend.threadJoin(d.t, -1)'), { t }),
      inWorker(attempt('backend.sleep(60000)')),
      inWorker(attempt('backend.rlockAcquire(d.r, d.other, -1)'), { r, other }),
      inWorker(attempt('backend.condWait(d.c, d.ticket, -1)'), { c, ticket }),
      inWorker(attempt('backend.semAcquire(d.s, -1)'), { s }),
      inWorker(attempt('backend.eventWait(d.ev, -1)'), { ev }),
      inWorker(attempt('backend.barrierWait(d.br, backend.barrierArrive(d.br, -1), -1)'), { br }),
    ];
    await delay(500);
    const t0 = performance.now();
    b.interruptAll();
    const messages = (await Promise.all(blocked)) as string[];
    expect(performance.now() - t0).toBeLessThan(10_000);
    for (const m of messages) expect(m).toMatch(/^interrupted/);
    // Later blocking calls fail at once, in any thread.
    expect(() => b.queueGet(q, -1)).toThrow(/^interrupted/);
    expect(() => b.queueGet(q, 1000)).toThrow(/^interrupted/);
    expect(() => b.sleep(1000)).toThrow(/^interrupted/);
    expect(() => b.semAcquire(s, 1000)).toThrow(/^interrupted/);
    expect(() => b.eventWait(ev, 1000)).toThrow(/^interrupted/);
    expect(() => b.rlockAcquire(r, other, 1000)).toThrow(/^interrupted/);
    expect(await inWorker(attempt('backend.lockAcquire(d.l, 5000)'), { l })).toMatch(/^interrupted/);
    for (const h of [q, pq, l, t, me, other, r, c, s, ev, br]) b.release(h);
  });
});
