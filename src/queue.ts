/**
 * The queues of Python's `queue` module (3.13): Queue (FIFO), LifoQueue,
 * PriorityQueue and SimpleQueue, shared by every thread. Items are encoded by
 * codec.ts; the backend stores bytes (and, for a PriorityQueue, a key made by
 * priority-key.ts that orders them).
 */
import { backend } from './backend/select.js';
import type { QueueLane } from './backend/queue-lane.js';
import { GetStatus, PutStatus, type Handle, type QueueFlavor } from './backend/types.js';
import { decode, encode, encodeTransient, handlesOf, retainHandles } from './codec.js';
import { Empty, Full, ShutDown } from './errors.js';
import { brand, handleOf, kClassLabel, kHandle, kTransit, registerKind, track, type Transit } from './handles.js';
import { blocking } from './output.js';
import { priorityKey } from './priority-key.js';
import { checkArity, checkBoolean, checkInteger, checkOptions, checkTimeout, FOREVER, type Millis } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

export interface PutGetOptions {
  block?: boolean;
  timeout?: number;
}

export interface QueueAsyncOptions {
  timeout?: number;
  signal?: AbortSignal;
}

function blockTimeout(options: unknown, method: string): Millis {
  if (options === undefined) return FOREVER; // the common case, with no object made
  const raw = checkOptions(options, `${method} options`, ['block', 'timeout']);
  const block = raw.block === undefined ? true : checkBoolean(raw.block, 'block');
  if (!block) {
    if (raw.timeout !== undefined) throw new TypeError('timeout cannot be given with block: false');
    return 0;
  }
  return checkTimeout(raw.timeout, 'timeout');
}

/** An item ready to store: its bytes (whose handles are retained) and its key, for a PriorityQueue. */
interface Prepared {
  bytes: Uint8Array;
  key: Uint8Array | undefined;
}

/**
 * `transient`: for a put that copies the bytes before anything else encodes (see
 * encodeTransient). `lane`: the queue's, if any (only FIFO queues have one, so a
 * queue with a lane needs no priority key).
 */
function prepare(queue: QueueBase<unknown>, item: unknown, transient: boolean, lane: QueueLane | null): Prepared {
  const key = lane === null && queue instanceof PriorityQueue ? priorityKey(item) : undefined;
  const bytes = transient ? encodeTransient(item, 'item') : encode(item, 'item');
  // Retained before the put: once queued, a consumer may adopt (and drop) them at once.
  retainHandles(bytes);
  return { bytes, key };
}

function drop(item: Prepared): void {
  for (const h of handlesOf(item.bytes)) backend.release(h);
}

function putOutcome(status: PutStatus, item: Prepared): void {
  if (status === PutStatus.Ok) return;
  drop(item);
  if (status === PutStatus.Full) throw new Full();
  if (status === PutStatus.Incomparable) {
    throw new TypeError('item cannot be compared with the items already in the PriorityQueue');
  }
  throw new ShutDown('put on a shut-down queue');
}

/**
 * Where this isolate's gets copy small items: the item is decoded from it at once,
 * before any other get, so one buffer serves them all and a get allocates nothing
 * for the bytes.
 */
const scratch = new Uint8Array(4096);
/** The same memory by words, which a lane's get copies an item in by. */
const scratchWords = new Int32Array(scratch.buffer);

/**
 * Where a synchronous put copies a small item before handing it to the backend.
 * A fresh small Uint8Array lives in V8's heap, and the addon reading it makes V8
 * move its bytes out first (an allocation per put); this one is off-heap already.
 * Only for puts that hand it over before any other JS runs (not putAsync, whose
 * tries span event-loop turns).
 */
const putScratch = new Uint8Array(4096);

function staged(bytes: Uint8Array): Uint8Array {
  if (bytes.length > putScratch.length) return bytes;
  putScratch.set(bytes);
  return putScratch.subarray(0, bytes.length);
}

function getOutcome(result: Uint8Array | GetStatus): unknown {
  if (typeof result === 'number') {
    if (result === GetStatus.Empty) throw new Empty();
    throw new ShutDown('get on a shut-down, empty queue');
  }
  // An item that fits is in scratch's first bytes (Backend.queueGet): decoding it
  // from scratch itself keeps the codec's views of it (see readNumber).
  return result.length <= scratch.length ? decode(scratch, true, result.length) : decode(result, true);
}

/**
 * A wrapper's lane (null: none), asked for on its first put or get. Kept on the
 * wrapper, which keeps the queue (and so the lane's memory) alive.
 */
const kLane = Symbol('lane');

function laneOf(queue: QueueBase<unknown>, h: Handle): QueueLane | null {
  let lane = (queue as { [kLane]?: QueueLane | null })[kLane];
  if (lane === undefined) {
    lane = backend.queueLane(h) ?? null;
    Object.defineProperty(queue, kLane, { value: lane });
  }
  return lane;
}

/** Counts an async twin as watching the queue while `pending` runs (see QueueLane.watch). */
function watching<R>(queue: QueueBase<unknown>, h: Handle, pending: () => Promise<R>): Promise<R> {
  const lane = laneOf(queue, h);
  if (lane === null) return pending();
  lane.watch(1);
  return pending().finally(() => lane.watch(-1));
}

/** What every queue has: put, get, their async twins, size, shutdown. */
abstract class QueueBase<T> {
  declare readonly [kHandle]: Handle;

  protected constructor(maxsize: number, flavor: QueueFlavor) {
    Object.defineProperty(this, kHandle, { value: backend.queueNew(maxsize, flavor) });
    track(this);
  }

  /** Crosses threads as the class it is. */
  get [kTransit](): Transit {
    return { tag: this.constructor.name };
  }

  /** Approximate size: other threads may change it before you act on it. */
  qsize(): number {
    return backend.queueSize(handleOf(this, QueueBase));
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  /**
   * Puts `item` in. Blocks while the queue is full; with `block: false` throws
   * Full at once, with `timeout` (ms) throws Full after that long.
   * @throws ShutDown when the queue is shut down. TypeError when `item` cannot
   * cross threads (or, for a PriorityQueue, has no order), and the queue is unchanged.
   */
  put(item: T, options?: PutGetOptions): void {
    checkArity(arguments.length, 2, 'put');
    const timeout = blockTimeout(options, 'put');
    const h = handleOf(this, QueueBase);
    const lane = laneOf(this, h);
    if (lane !== null && typeof item === 'number' && lane.putNumber(item)) return;
    // Transient: copied (to the ring, or to putScratch) before anything else encodes.
    const prepared = prepare(this, item, true, lane);
    if (lane !== null && (lane.put(prepared.bytes) || (timeout !== 0 && lane.pollPut(prepared.bytes)))) return;
    const bytes = staged(prepared.bytes);
    let status = backend.queuePut(h, bytes, 0, prepared.key);
    if (status === PutStatus.Full && timeout !== 0) {
      status = blocking(() => backend.queuePut(h, bytes, timeout, prepared.key));
    }
    putOutcome(status, prepared);
  }

  putNowait(item: T): void {
    checkArity(arguments.length, 1, 'putNowait');
    this.put(item, { block: false });
  }

  /**
   * Removes and returns the next item. Blocks while the queue is empty; with
   * `block: false` throws Empty at once, with `timeout` (ms) throws Empty after that long.
   * @throws ShutDown when the queue is shut down and empty.
   */
  get(options?: PutGetOptions): T {
    checkArity(arguments.length, 1, 'get');
    const h = handleOf(this, QueueBase);
    const timeout = blockTimeout(options, 'get');
    const lane = laneOf(this, h);
    if (lane !== null) {
      let got = lane.get(scratchWords);
      if (got < 0 && timeout !== 0) got = lane.pollGet(scratchWords);
      if (got >= 0) return decode(scratch, true, got) as T;
    }
    let result = backend.queueGet(h, 0, scratch);
    if (result === GetStatus.Empty && timeout !== 0) result = blocking(() => backend.queueGet(h, timeout, scratch));
    return getOutcome(result) as T;
  }

  getNowait(): T {
    checkArity(arguments.length, 0, 'getNowait');
    return this.get({ block: false });
  }

  /**
   * Python 3.13's shutdown: later puts throw ShutDown; gets drain what is left, then
   * throw ShutDown. `immediate` also drops the items left (each counts as done), so
   * `join()` returns and every blocked get throws ShutDown.
   */
  shutdown(immediate = false): void {
    checkArity(arguments.length, 1, 'shutdown');
    backend.queueShutdown(handleOf(this, QueueBase), checkBoolean(immediate, 'immediate'));
  }

  /** The async twin of `put`: rejects with Full on timeout, ShutDown after shutdown. */
  putAsync(item: T, options?: QueueAsyncOptions): Promise<void> {
    try {
      checkArity(arguments.length, 2, 'putAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, QueueBase);
      const prepared = prepare(this, item, false, laneOf(this, h));
      return watching(this, h, () => untilDone(
        h,
        () => {
          const status = backend.queuePut(h, prepared.bytes, 0, prepared.key);
          return status === PutStatus.Full ? kRetry : putOutcome(status, prepared);
        },
        opts,
        () => putOutcome(PutStatus.Full, prepared),
      )).catch((error: unknown) => {
        // putOutcome dropped the item's handles for Full/ShutDown/TypeError; an abort did not.
        if (!(error instanceof Full) && !(error instanceof ShutDown) && !(error instanceof TypeError)) drop(prepared);
        throw error;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The async twin of `get`: rejects with Empty on timeout, ShutDown once shut down and empty. */
  getAsync(options?: QueueAsyncOptions): Promise<T> {
    try {
      checkArity(arguments.length, 1, 'getAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, QueueBase);
      return watching(this, h, () => untilDone(
        h,
        () => {
          const result = backend.queueGet(h, 0, scratch);
          return result === GetStatus.Empty ? kRetry : (getOutcome(result) as T);
        },
        opts,
        () => getOutcome(GetStatus.Empty) as T,
      ));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** Python's `queue.Queue`: FIFO, optionally bounded, with task tracking. */
export class Queue<T = unknown> extends QueueBase<T> {
  /** `maxsize` 0 (the default) means unbounded; otherwise `put` blocks while `maxsize` items are queued. */
  constructor(maxsize = 0) {
    checkArity(arguments.length, 1, `new ${new.target.name}()`);
    checkInteger(maxsize, 'maxsize', 0, 2 ** 32 - 1);
    super(maxsize, new.target === LifoQueue ? 'lifo' : new.target === PriorityQueue ? 'priority' : 'fifo');
  }

  get maxsize(): number {
    return backend.queueMaxsize(handleOf(this, Queue));
  }

  full(): boolean {
    const max = this.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /** Marks one item taken by `get` as processed. @throws RangeError when called more times than items were put. */
  taskDone(): void {
    checkArity(arguments.length, 0, 'taskDone');
    if (!backend.queueTaskDone(handleOf(this, Queue))) throw new RangeError('taskDone() called more times than there were items');
  }

  /** Blocks until every item put has been got and marked done with `taskDone`. */
  join(): void {
    checkArity(arguments.length, 0, 'join');
    const h = handleOf(this, Queue);
    if (!backend.queueJoin(h, 0)) blocking(() => backend.queueJoin(h, FOREVER));
  }

  /** The async twin of `join` (no timeout, like `join`). */
  joinAsync(options?: { signal?: AbortSignal }): Promise<void> {
    try {
      checkArity(arguments.length, 1, 'joinAsync');
      const { signal } = asyncOptions(options, 'options');
      if (options !== undefined && 'timeout' in options) throw new TypeError('joinAsync takes no timeout (like join)');
      const h = handleOf(this, Queue);
      return untilDone(h, () => (backend.queueJoin(h, 0) ? undefined : kRetry), { timeout: FOREVER, signal }, () => undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** Python's `queue.LifoQueue`: the last item put is the first got. */
export class LifoQueue<T = unknown> extends Queue<T> {}

/**
 * Python's `queue.PriorityQueue`: the smallest item is got first. Items are
 * numbers, strings, bigints, or arrays of these compared element by element (like
 * tuples); an item that has no order, or cannot be compared with one already
 * queued (a number and a string), is a TypeError at `put`.
 */
export class PriorityQueue<T = unknown> extends Queue<T> {}

/** Python's `queue.SimpleQueue`: an unbounded FIFO without task tracking. */
export class SimpleQueue<T = unknown> extends QueueBase<T> {
  constructor() {
    checkArity(arguments.length, 0, 'new SimpleQueue()');
    super(0, 'simple');
  }
}

const queueClasses: Record<string, new () => QueueBase<unknown>> = { Queue, LifoQueue, PriorityQueue, SimpleQueue };

// Each class its own brand, so that a forged one is named as itself (checkNotForged).
brand(Queue, LifoQueue, PriorityQueue, SimpleQueue);
Object.defineProperty(QueueBase, kClassLabel, { value: 'queue' });

registerKind('queue', (h, tag) => {
  const Class = tag !== undefined && Object.hasOwn(queueClasses, tag) ? queueClasses[tag] : Queue;
  const queue = Object.create(Class.prototype) as QueueBase<unknown>;
  Object.defineProperty(queue, kHandle, { value: h });
  return queue;
});
