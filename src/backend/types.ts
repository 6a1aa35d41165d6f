/**
 * The one interface between the front end (src/*.ts) and a backend
 * (backend/native.ts over the Rust crate, backend/js/ over SharedArrayBuffer).
 *
 * Everything a thread shares lives behind a backend as an object named by a
 * handle: a positive integer, unique in the process, that any isolate can pass to
 * the backend and reach the same object. The front end validates every argument
 * before it gets here, so a backend may assume well-formed input, except handles:
 * a handle that is not live, or names an object of another kind, throws a
 * TypeError whose message starts with `invalid handle`.
 *
 * Timeouts: `timeoutMs` is -1 for "wait forever", 0 for "do not block", or a
 * positive number of milliseconds (fractions allowed). Every blocking call blocks
 * only the calling OS thread and wakes early, throwing an Error whose message
 * starts with `interrupted`, once `interruptAll()` was called (process exit).
 *
 * Reference counts: a `...New` call returns a handle with one reference, owned by
 * the caller. `retain` adds one, `release` drops one; the object is freed when the
 * count reaches 0. Each isolate keeps one reference per live wrapper object; a
 * handle in transit (inside an encoded item or thread result) owns one too.
 *
 * Encoded items (queue items, thread results) are opaque bytes to a backend but
 * for their header, so that a backend can release the handles inside an item it
 * drops without running JS:
 *   u32 LE  count of handles (n)
 *   n × u32 LE  handle ids, each owning one reference
 *   ...     payload (front end's business)
 * A backend that frees an object still holding items (a queue's remaining items,
 * a thread's unread result), or drops items in `queueShutdown(h, true)`, releases
 * every handle listed in their headers.
 *
 * Change notification (for the async twins): every object has an epoch, a u32
 * counter that the backend bumps (wrapping) after each change that could let a
 * waiter proceed: Lock release; Queue put, get, the unfinished-task count reaching
 * 0, shutdown; Thread finish. `watch(h, seen, cb)` calls `cb` once, later, from
 * this isolate's event loop, when the epoch differs from `seen`; if it differs
 * already, `watch` returns 0 and never calls `cb`. `unwatch(id)` cancels a watch
 * that has not fired (a no-op otherwise). A watch does not keep the event loop
 * alive: the front end keeps it alive while any async twin is pending.
 */

export type Handle = number;

export type ObjectKind = 'lock' | 'value' | 'queue' | 'thread';

export type ValueType = 'i32' | 'u32' | 'i64' | 'f64';

/** Queue put outcome. */
export enum PutStatus {
  Ok = 0,
  /** Timed out (or would block) on a full queue. */
  Full = 1,
  /** The queue is shut down. */
  ShutDown = 2,
}

/** Queue get outcome when no item was taken. */
export enum GetStatus {
  /** Timed out (or would block) on an empty queue. */
  Empty = 1,
  /** The queue is shut down and empty. */
  ShutDown = 2,
}

/** Thread record life cycle: New → Running → Done. */
export enum ThreadState {
  New = 0,
  Running = 1,
  Done = 2,
}

export interface ThreadOutcome {
  /** The encoded return value, or the encoded error when `failed`. */
  data: Uint8Array;
  failed: boolean;
}

export interface Backend {
  readonly name: 'native' | 'js';

  /**
   * Whatever a worker isolate needs to attach to this backend's shared state
   * (the js backend's SharedArrayBuffer). Passed through `workerData` and given
   * to `attachBackend` (in backend/select.ts) inside the worker. Structured-clonable.
   */
  workerData(): unknown;

  // --- registry -----------------------------------------------------------
  retain(h: Handle): void;
  release(h: Handle): void;
  /** The kind of a live handle, or undefined when it is not live. Never throws. */
  kindOf(h: Handle): ObjectKind | undefined;
  /** Number of live objects (for leak tests). */
  liveObjects(): number;

  // --- change notification ------------------------------------------------
  epoch(h: Handle): number;
  watch(h: Handle, seen: number, onChange: () => void): number;
  unwatch(watchId: number): void;

  // --- time, threads of the OS --------------------------------------------
  /** Block the calling OS thread for `ms` (≥ 0) milliseconds. */
  sleep(ms: number): void;
  /** The OS thread id of the caller (gettid on Linux), or -1 when unknown. */
  osThreadId(): number;
  /** Wake every blocked call in every thread with an `interrupted` error, now and later. */
  interruptAll(): void;

  // --- Lock: a mutex that any thread may release ---------------------------
  lockNew(): Handle;
  /** True when acquired; false on timeout or when `timeoutMs` is 0 and it is held. */
  lockAcquire(h: Handle, timeoutMs: number): boolean;
  /** False (and no change) when it was not locked. */
  lockRelease(h: Handle): boolean;
  lockLocked(h: Handle): boolean;

  // --- Value: one shared number --------------------------------------------
  valueNew(type: ValueType, initial: number | bigint): Handle;
  valueType(h: Handle): ValueType;
  /** Plain (racy) load and store; i64 uses bigint, the others number. */
  valueGet(h: Handle): number | bigint;
  valueSet(h: Handle, v: number | bigint): void;
  /** Atomic; return the previous value. For f64, add is a CAS loop. */
  valueAdd(h: Handle, n: number | bigint): number | bigint;
  valueCompareExchange(h: Handle, expected: number | bigint, replacement: number | bigint): number | bigint;

  // --- Queue: FIFO, bounded when maxsize > 0, with task tracking ------------
  queueNew(maxsize: number): Handle;
  queueMaxsize(h: Handle): number;
  /** Takes ownership of `item` (and the handles in its header) only when it returns Ok. */
  queuePut(h: Handle, item: Uint8Array, timeoutMs: number): PutStatus;
  /** The item (its handle references pass to the caller), or why there is none. */
  queueGet(h: Handle, timeoutMs: number): Uint8Array | GetStatus;
  queueSize(h: Handle): number;
  /** False (and no change) when there was no unfinished task. */
  queueTaskDone(h: Handle): boolean;
  /** True once the unfinished-task count is 0; false on timeout. */
  queueJoin(h: Handle, timeoutMs: number): boolean;
  /** Python 3.13: later puts fail; `immediate` drops the items (each counts as a taskDone). */
  queueShutdown(h: Handle, immediate: boolean): void;
  queueIsShutDown(h: Handle): boolean;

  // --- Thread records: what every isolate can see of a thread ---------------
  threadNew(name: string, daemon: boolean): Handle;
  threadName(h: Handle): string;
  threadSetName(h: Handle, name: string): void;
  threadDaemon(h: Handle): boolean;
  threadSetDaemon(h: Handle, daemon: boolean): void;
  threadState(h: Handle): ThreadState;
  /** New → Running, recording the OS thread id of the thread that runs it. */
  threadMarkRunning(h: Handle, nativeId: number): void;
  threadNativeId(h: Handle): number;
  /** Running → Done; takes ownership of `data`; wakes every joiner. */
  threadFinish(h: Handle, data: Uint8Array, failed: boolean): void;
  /** True once Done; false on timeout. */
  threadJoin(h: Handle, timeoutMs: number): boolean;
  /** The outcome once Done (the same bytes to every caller; their handles stay owned by the record), else undefined. */
  threadOutcome(h: Handle): ThreadOutcome | undefined;
  /** Every record that is Running, in order of handle. */
  threadsRunning(): Handle[];
}
