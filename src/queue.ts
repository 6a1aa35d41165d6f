/**
 * Queue: Python's `queue.Queue`, a FIFO shared by every thread, optionally
 * bounded, with task tracking (`taskDone`/`join`) and Python 3.13's `shutdown`.
 * Items are encoded by codec.ts; the backend stores bytes.
 */
import { backend } from './backend/select.js';
import { GetStatus, PutStatus, type Handle } from './backend/types.js';
import { decode, encode, handlesOf, retainHandles } from './codec.js';
import { Empty, Full, ShutDown } from './errors.js';
import { handleOf, kHandle, registerKind, track } from './handles.js';
import { blocking } from './output.js';
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
  const raw = checkOptions(options, `${method} options`, ['block', 'timeout']);
  const block = raw.block === undefined ? true : checkBoolean(raw.block, 'block');
  if (!block) {
    if (raw.timeout !== undefined) throw new TypeError('timeout cannot be given with block: false');
    return 0;
  }
  return checkTimeout(raw.timeout, 'timeout');
}

/** Encodes an item and gives its handles the references they own while queued. */
function encodeItem(item: unknown): Uint8Array {
  const bytes = encode(item, 'item');
  // Retained before the put: once queued, a consumer may adopt (and drop) them at once.
  retainHandles(bytes);
  return bytes;
}

function dropItem(bytes: Uint8Array): void {
  for (const h of handlesOf(bytes)) backend.release(h);
}

function putOutcome(status: PutStatus, bytes: Uint8Array): void {
  if (status === PutStatus.Ok) return;
  dropItem(bytes);
  if (status === PutStatus.Full) throw new Full();
  throw new ShutDown('put on a shut-down queue');
}

function getOutcome(result: Uint8Array | GetStatus): unknown {
  if (typeof result === 'number') {
    if (result === GetStatus.Empty) throw new Empty();
    throw new ShutDown('get on a shut-down, empty queue');
  }
  return decode(result, true);
}

export class Queue<T = unknown> {
  declare readonly [kHandle]: Handle;

  /** `maxsize` 0 (the default) means unbounded; otherwise `put` blocks while `maxsize` items are queued. */
  constructor(maxsize = 0) {
    checkArity(arguments, 1, 'new Queue()');
    checkInteger(maxsize, 'maxsize', 0, 2 ** 32 - 1);
    Object.defineProperty(this, kHandle, { value: backend.queueNew(maxsize) });
    track(this);
  }

  get maxsize(): number {
    return backend.queueMaxsize(handleOf(this, 'Queue'));
  }

  /** Approximate size: other threads may change it before you act on it. */
  qsize(): number {
    return backend.queueSize(handleOf(this, 'Queue'));
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  full(): boolean {
    const max = this.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /**
   * Puts `item` at the back. Blocks while the queue is full; with `block: false`
   * throws Full at once, with `timeout` (ms) throws Full after that long.
   * @throws ShutDown when the queue is shut down. TypeError when `item` cannot cross threads.
   */
  put(item: T, options?: PutGetOptions): void {
    checkArity(arguments, 2, 'put');
    const timeout = blockTimeout(options, 'put');
    const h = handleOf(this, 'Queue');
    const bytes = encodeItem(item);
    let status = backend.queuePut(h, bytes, 0);
    if (status === PutStatus.Full && timeout !== 0) status = blocking(() => backend.queuePut(h, bytes, timeout));
    putOutcome(status, bytes);
  }

  putNowait(item: T): void {
    checkArity(arguments, 1, 'putNowait');
    this.put(item, { block: false });
  }

  /**
   * Removes and returns the front item. Blocks while the queue is empty; with
   * `block: false` throws Empty at once, with `timeout` (ms) throws Empty after that long.
   * @throws ShutDown when the queue is shut down and empty.
   */
  get(options?: PutGetOptions): T {
    checkArity(arguments, 1, 'get');
    const h = handleOf(this, 'Queue');
    const timeout = blockTimeout(options, 'get');
    let result = backend.queueGet(h, 0);
    if (result === GetStatus.Empty && timeout !== 0) result = blocking(() => backend.queueGet(h, timeout));
    return getOutcome(result) as T;
  }

  getNowait(): T {
    checkArity(arguments, 0, 'getNowait');
    return this.get({ block: false });
  }

  /** Marks one item taken by `get` as processed. @throws RangeError when called more times than items were put. */
  taskDone(): void {
    checkArity(arguments, 0, 'taskDone');
    if (!backend.queueTaskDone(handleOf(this, 'Queue'))) throw new RangeError('taskDone() called more times than there were items');
  }

  /** Blocks until every item put has been got and marked done with `taskDone`. */
  join(): void {
    checkArity(arguments, 0, 'join');
    const h = handleOf(this, 'Queue');
    if (!backend.queueJoin(h, 0)) blocking(() => backend.queueJoin(h, FOREVER));
  }

  /**
   * Python 3.13's shutdown: later puts throw ShutDown; gets drain what is left, then
   * throw ShutDown. `immediate` also drops the items left (each counts as done), so
   * `join()` returns and every blocked get throws ShutDown.
   */
  shutdown(immediate = false): void {
    checkArity(arguments, 1, 'shutdown');
    backend.queueShutdown(handleOf(this, 'Queue'), checkBoolean(immediate, 'immediate'));
  }

  /** The async twin of `put`: rejects with Full on timeout, ShutDown after shutdown. */
  putAsync(item: T, options?: QueueAsyncOptions): Promise<void> {
    try {
      checkArity(arguments, 2, 'putAsync');
      const opts = asyncOptions(options);
      const bytes = encodeItem(item);
      const h = handleOf(this, 'Queue');
      return untilDone(
        h,
        () => {
          const status = backend.queuePut(h, bytes, 0);
          return status === PutStatus.Full ? kRetry : putOutcome(status, bytes);
        },
        opts,
        () => putOutcome(PutStatus.Full, bytes),
      ).catch((error: unknown) => {
        if (!(error instanceof Full) && !(error instanceof ShutDown)) dropItem(bytes);
        throw error;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The async twin of `get`: rejects with Empty on timeout, ShutDown once shut down and empty. */
  getAsync(options?: QueueAsyncOptions): Promise<T> {
    try {
      checkArity(arguments, 1, 'getAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, 'Queue');
      return untilDone(
        h,
        () => {
          const result = backend.queueGet(h, 0);
          return result === GetStatus.Empty ? kRetry : (getOutcome(result) as T);
        },
        opts,
        () => getOutcome(GetStatus.Empty) as T,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The async twin of `join` (no timeout, like `join`). */
  joinAsync(options?: { signal?: AbortSignal }): Promise<void> {
    try {
      checkArity(arguments, 1, 'joinAsync');
      const { signal } = asyncOptions(options, 'options');
      if (options !== undefined && 'timeout' in options) throw new TypeError('joinAsync takes no timeout (like join)');
      const h = handleOf(this, 'Queue');
      return untilDone(h, () => (backend.queueJoin(h, 0) ? undefined : kRetry), { timeout: FOREVER, signal }, () => undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

registerKind('queue', (h) => {
  const queue = Object.create(Queue.prototype) as Queue;
  Object.defineProperty(queue, kHandle, { value: h });
  return queue;
});
