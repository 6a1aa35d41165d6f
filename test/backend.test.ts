/**
 * The Backend interface itself (src/backend/types.ts), on whichever backend
 * NATIVE_THREADS_BACKEND selects: registry, Lock, Value, Queue, thread records,
 * change notification, sleep, and (last, since it is permanent) interruptAll.
 *
 * Cross-thread tests run plain-JS workers that import the built backend from
 * dist/ (workers cannot import .ts): build first with
 * `npx tsc -p tsconfig.build.json` (the project's test command does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, test } from 'vitest';
import { backend, backendWorkerData, kBackendKey } from '../src/backend/select.js';
import { GetStatus, PutStatus, ThreadState, type Handle } from '../src/backend/types.js';

const b = backend;
const distSelect = new URL('../dist/backend/select.js', import.meta.url);
const STRESS = Number(process.env.NATIVE_THREADS_STRESS ?? '1') || 1;

beforeAll(() => {
  if (!existsSync(fileURLToPath(distSelect))) {
    throw new Error(`${fileURLToPath(distSelect)} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
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
    const h = b.queueNew(0);
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
    const hs = [b.lockNew(), b.valueNew('i32', 0), b.queueNew(0), b.threadNew('t', false)];
    expect(hs.map((h) => b.kindOf(h))).toEqual(['lock', 'value', 'queue', 'thread']);
    expect(new Set(hs).size).toBe(4);
    for (const h of hs) b.release(h);
  });

  test('a freed handle is an invalid handle TypeError everywhere', () => {
    const l = b.lockNew();
    const q = b.queueNew(0);
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
  test('smoke: items come out in FIFO order as fresh unshared copies', () => {
    const q = b.queueNew(0);
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
    const q = b.queueNew(0);
    expect(b.queuePut(q, new Uint8Array(0), 0)).toBe(PutStatus.Ok);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([]);
    b.release(q);
  });

  test('a bounded queue is Full without blocking, and after a timeout', () => {
    const q = b.queueNew(2);
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
    const q = b.queueNew(0);
    expect(b.queueGet(q, 0)).toBe(GetStatus.Empty);
    const t0 = performance.now();
    expect(b.queueGet(q, 60)).toBe(GetStatus.Empty);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(5000);
    b.release(q);
  });

  test('get blocks until another thread puts', async () => {
    const q = b.queueNew(0);
    const got = inWorker('return [...backend.queueGet(d.q, 20000)];', { q });
    await delay(100);
    b.queuePut(q, encode([], [42]), 0);
    expect(await got).toEqual([0, 0, 0, 0, 42]);
    b.release(q);
  });

  test('put on a full queue blocks until another thread gets', async () => {
    const q = b.queueNew(1);
    b.queuePut(q, encode([], [1]), 0);
    const put = inWorker('return backend.queuePut(d.q, new Uint8Array([0, 0, 0, 0, 2]), 20000);', { q });
    await delay(100);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([0, 0, 0, 0, 1]);
    expect(await put).toBe(PutStatus.Ok);
    expect([...(b.queueGet(q, 0) as Uint8Array)]).toEqual([0, 0, 0, 0, 2]);
    b.release(q);
  });

  test('taskDone is false with no unfinished task; join waits for the last one', () => {
    const q = b.queueNew(0);
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
    const q = b.queueNew(0);
    b.queuePut(q, encode([]), 0);
    const joined = inWorker('return backend.queueJoin(d.q, 20000);', { q });
    await delay(100);
    b.queueGet(q, 0);
    b.queueTaskDone(q);
    expect(await joined).toBe(true);
    b.release(q);
  });

  test('shutdown: puts fail, gets drain the rest, then ShutDown', () => {
    const q = b.queueNew(0);
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
    const q = b.queueNew(0);
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
    const empty = b.queueNew(0);
    const full = b.queueNew(1);
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
    const q = b.queueNew(0);
    const [l1, l2, l3] = [b.lockNew(), b.lockNew(), b.lockNew()];
    b.queuePut(q, encode([l1, l2], [9, 9]), 0); // the item now owns l1 and l2
    b.queuePut(q, encode([l3]), 0);
    b.queueShutdown(q, true);
    expect([l1, l2, l3].map((h) => b.kindOf(h))).toEqual([undefined, undefined, undefined]);
    b.release(q);
    expect(b.liveObjects()).toBe(base);

    const q2 = b.queueNew(0);
    const inner = b.queueNew(0);
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
    const q = b.queueNew(1);
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
    const q = b.queueNew(0);
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
    const q = b.queueNew(16);
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
    const q = b.queueNew(0);
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
    const q = b.queueNew(0);
    const e = b.epoch(q);
    b.queuePut(q, encode([]), 0);
    let called = false;
    expect(b.watch(q, e, () => (called = true))).toBe(0);
    await delay(20);
    expect(called).toBe(false);
    b.release(q);
  });

  test('unwatch cancels a pending watch, and other watches on the object still fire', async () => {
    const q = b.queueNew(0);
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
    const q = b.queueNew(0);
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
  test('wakes threads blocked in queueGet, lockAcquire, threadJoin and sleep, now and later', async () => {
    const q = b.queueNew(0);
    const l = b.lockNew();
    const t = b.threadNew('never ends', false);
    b.lockAcquire(l, -1);
    b.threadMarkRunning(t, 1);
    const attempt = (call: string): string => `
      try { ${call}; return 'returned'; } catch (error) { return error.message; }`;
    const blocked = [
      inWorker(attempt('backend.queueGet(d.q, -1)'), { q }),
      inWorker(attempt('backend.lockAcquire(d.l, -1)'), { l }),
      inWorker(attempt('backend.threadJoin(d.t, -1)'), { t }),
      inWorker(attempt('backend.sleep(60000)')),
    ];
    await delay(300);
    const t0 = performance.now();
    b.interruptAll();
    const messages = (await Promise.all(blocked)) as string[];
    expect(performance.now() - t0).toBeLessThan(10_000);
    for (const m of messages) expect(m).toMatch(/^interrupted/);
    // Later blocking calls fail at once, in any thread.
    expect(() => b.queueGet(q, -1)).toThrow(/^interrupted/);
    expect(() => b.queueGet(q, 1000)).toThrow(/^interrupted/);
    expect(() => b.sleep(1000)).toThrow(/^interrupted/);
    expect(await inWorker(attempt('backend.lockAcquire(d.l, 5000)'), { l })).toMatch(/^interrupted/);
    for (const h of [q, l, t]) b.release(h);
  });
});
