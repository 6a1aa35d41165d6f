/**
 * native-threads: Python's `threading` and `queue` for Node.js.
 *
 * Threads run JavaScript in parallel on real OS threads (worker isolates kept
 * warm in a pool); `Lock`, `Queue` and `Value` are shared by every thread. Every
 * timeout is in milliseconds; an omitted, `undefined` or `-1` timeout waits forever.
 *
 * Errors name the parameter: a value of the wrong type is a `TypeError`, a number
 * out of range a `RangeError`. A failed call changes nothing.
 *
 * @packageDocumentation
 */

/** Which backend this process runs on: `'native'` (the Rust addon) or `'js'` (SharedArrayBuffer + Atomics). */
export declare const backend: 'native' | 'js';

// ---------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------

/** A module to run in the thread: its `export` (default: the default export) is called with the args. */
export interface ModuleTarget {
  /** A path (relative paths resolve against the current working directory) or a URL. */
  module: string | URL;
  export?: string;
}

/** Any function. `never[]` parameters accept every signature while `Parameters<F>` stays exact. */
export type ThreadFunction = (...args: never[]) => unknown;

export interface ThreadOptions<F extends ThreadFunction = ThreadFunction> {
  /**
   * A function, shipped to the thread by its source text: it cannot close over
   * outer variables. Everything it needs comes through `args` or `await import(...)`
   * inside it (use package names or absolute URLs: relative specifiers resolve
   * against this package's files). Or a module target.
   */
  target: F | ModuleTarget;
  /** Arguments: anything structured clone takes, plus handles (Lock, Queue, Value, Thread). SharedArrayBuffers are shared. */
  args?: Parameters<F> | unknown[];
  /** Defaults to `Thread-N`. */
  name?: string;
  /** Defaults to the creating thread's flag (false on the main thread). */
  daemon?: boolean;
  /**
   * Node's Worker `resourceLimits` for this thread's isolate. A thread given them
   * runs on a worker isolate of its own (booted at `start()`, so that start takes
   * tens of milliseconds, and ended after the thread), not on a warm pooled one.
   * When the isolate reaches its heap limit, V8 kills it: the thread ends,
   * `join()`/`joinAsync()` throw a ThreadError saying it was killed by its memory
   * limit, and the excepthook reports it.
   * @throws TypeError / RangeError (from the constructor) naming the limit, unless
   * each given limit is a positive, finite number.
   */
  resourceLimits?: ResourceLimits;
}

/** Node's Worker `resourceLimits`, in megabytes. Omitted ones keep Node's defaults. */
export interface ResourceLimits {
  /** The main heap. */
  maxOldGenerationSizeMb?: number;
  /** The heap space for recently created objects. */
  maxYoungGenerationSizeMb?: number;
  /** The space for generated code. */
  codeRangeSizeMb?: number;
  /** The thread's stack (Node's default: 4). */
  stackSizeMb?: number;
}

/**
 * A thread of control running `target` on its own OS thread. Like Python's
 * `threading.Thread`. A Thread is a handle: pass it to another thread and join it there.
 */
export declare class Thread {
  constructor(options: ThreadOptions);
  /** Settable; a new name is seen from every thread. */
  name: string;
  /**
   * A daemon thread never holds the process open: it is stopped when the main
   * program ends. Settable only before `start()`.
   * @throws ThreadError when set after start.
   */
  daemon: boolean;
  /** A number unique among live threads; `undefined` before start. */
  readonly ident: number | undefined;
  /** The OS thread id (gettid on Linux); `undefined` before start. */
  readonly nativeId: number | undefined;
  /**
   * Starts the thread and returns once it is running (`ident` and `nativeId` are set).
   * Returns the thread.
   * @throws ThreadError when started twice.
   * @throws TypeError when `args` cannot cross threads or a module target's file is missing.
   */
  start(): this;
  /**
   * Blocks the calling thread until this thread ends, and returns what its target
   * returned (or throws what it threw: same `name` and `message`, the thread's stack).
   * With `timeout` (ms), returns `undefined` if the thread is still alive then.
   * SharedArrayBuffers in the return value are shared with every joiner, as in queue items.
   * @throws ThreadError before start, or when joining the current thread; also
   * when the thread's isolate was killed by its memory limit (see `resourceLimits`).
   * @throws TypeError when the return value could not be cloned.
   */
  join(timeout?: number): unknown;
  /** The async twin of `join`: resolves with the return value, or `undefined` on timeout. */
  joinAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<unknown>;
  /** True from `start()` until the target has returned (or its Promise settled). */
  isAlive(): boolean;
}

/** Creates and starts a thread running `target(...args)`. */
export declare function spawn<F extends ThreadFunction>(target: F, ...args: Parameters<F>): Thread;
export declare function spawn(target: ModuleTarget, ...args: unknown[]): Thread;

/** The calling thread's Thread object (in the main thread, `mainThread()`). */
export declare function currentThread(): Thread;
/** The main thread, named `MainThread`. */
export declare function mainThread(): Thread;
/** Every alive thread of the process, the main thread included, from any thread. */
export declare function enumerate(): Thread[];
/** `enumerate().length`. */
export declare function activeCount(): number;
/** `currentThread().ident`. */
export declare function getIdent(): number;
/** The calling thread's OS thread id. */
export declare function getNativeId(): number;
/**
 * Starts idle worker isolates ahead of need, so the next `n` thread starts take
 * a warm one. Idle isolates never hold the process open.
 */
export declare function prestart(n: number): Promise<void>;

/**
 * A thread that runs `target(...args)` after `interval` ms, unless `cancel()` comes
 * first: Python's `threading.Timer`. Start it with `start()`.
 * @example
 * ```ts
 * const t = new Timer(100, async () => (await import('native-threads')).print('later'));
 * t.start();
 * t.cancel(); // nothing is printed
 * ```
 */
export declare class Timer extends Thread {
  /** @throws RangeError for a negative interval. TypeError for a bad target or args. */
  constructor(interval: number, target: ThreadFunction | ModuleTarget, args?: unknown[]);
  /** Stops the timer if it is still waiting: its target never runs. (Only on the Timer object that created it.) */
  cancel(): void;
}

export interface ExceptHookArgs {
  /** The error, rebuilt in the hook's thread: same name, message and stack. */
  error: Error;
  /** The thread whose target threw; it has ended. */
  thread: Thread;
}

export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * Replaces, process-wide, what happens to an exception that escapes a thread's
 * target. The hook runs on the thread that set it, from its event loop, after
 * the failing thread ended; `join()` still rethrows. `null` restores the default,
 * which prints `Exception in thread NAME:` and the stack to stderr from the failing
 * thread. Returns the previous hook if it was set from this thread, else null.
 */
export declare function setExcepthook(hook: ExceptHook | null): ExceptHook | null;

// ---------------------------------------------------------------------------
// Shared data, output, time
// ---------------------------------------------------------------------------

export type ValueType = 'i32' | 'u32' | 'i64' | 'f64';

/**
 * One number shared by every thread: the stand-in for a Python global.
 * `.value` is a plain load and store, racy on purpose; `add` and
 * `compareExchange` are atomic. An `i64` Value holds bigints.
 */
export interface Value<T extends number | bigint = number> {
  readonly type: ValueType;
  /** @throws TypeError when set to a value of the wrong kind (a non-bigint for i64). */
  value: T;
  /** Atomically adds `n` and returns the previous value. */
  add(n: T): T;
  /** Atomically stores `replacement` if the value equals `expected`; returns the previous value. */
  compareExchange(expected: T, replacement: T): T;
}

export interface ValueConstructor {
  /**
   * @param type `'i32' | 'u32' | 'i64' | 'f64'` (default `'f64'`).
   * @param initial default 0 (`0n` for i64).
   * @throws TypeError for an unknown type or an initial value of the wrong kind.
   * @throws RangeError for an integer type given a fraction or an out-of-range number.
   */
  new (type: 'i64', initial?: bigint): Value<bigint>;
  new (type?: 'i32' | 'u32' | 'f64', initial?: number): Value<number>;
  readonly prototype: Value<number | bigint>;
}

export declare const Value: ValueConstructor;

/**
 * Writes `values` (joined by one space; non-strings formatted as console.log
 * would, without format specifiers) as one line to stdout, with one synchronous
 * write from the calling thread: lines appear in the real order, never interleaved.
 */
export declare function print(...values: unknown[]): void;

/**
 * Blocks the calling thread (only it) for `ms` milliseconds. There is no
 * async twin: use `setTimeout` from `node:timers/promises`.
 * @throws RangeError for a negative `ms`.
 */
export declare function sleep(ms: number): void;

// ---------------------------------------------------------------------------
// Locks
// ---------------------------------------------------------------------------

export interface AcquireOptions {
  /** Default true. With false, take the lock only if it is free, without waiting. */
  blocking?: boolean;
  /** Milliseconds to wait at most (not with `blocking: false`). */
  timeout?: number;
}

export interface AsyncWaitOptions {
  timeout?: number;
  /** Aborting rejects with the signal's reason and leaves the primitive as if the call had never been made. */
  signal?: AbortSignal;
}

/** What `hold()` returns: releases the lock once, on `release()` or when disposed (`using`). */
export declare class Guard implements Disposable {
  private constructor();
  release(): void;
  [Symbol.dispose](): void;
}

/**
 * A mutex shared by every thread, with Python's `threading.Lock` semantics: it
 * has no owner, so any thread may release it.
 */
export declare class Lock implements Acquirable {
  constructor();
  /**
   * Blocks until the lock is free, takes it and returns true.
   * With `blocking: false`, returns false at once if it is taken.
   * With `timeout` (ms), returns false if it is still taken after that long.
   * @throws TypeError when a timeout is given with `blocking: false`.
   */
  acquire(options?: AcquireOptions): boolean;
  /** @throws ThreadError when the lock is not locked. */
  release(): void;
  locked(): boolean;
  /** The async twin of `acquire`: resolves true once taken, false on timeout. */
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  /**
   * Acquires (as `acquire(options)`) and returns a guard that releases it:
   * `using _ = lock.hold();` where `using` exists, else `try { } finally { guard.release() }`.
   * @throws ThreadError when it could not acquire (non-blocking, or timed out).
   */
  hold(options?: AcquireOptions): Guard;
  /**
   * Python's `with lock:`. Runs `fn` holding the lock and returns what it returns;
   * releases when `fn` returns or throws, or when its Promise settles.
   */
  with<T>(fn: () => T): T;
}

/** Anything with Python's lock protocol (Lock, RLock, Condition, Semaphore, BoundedSemaphore). */
export interface Acquirable {
  acquire(options?: AcquireOptions): boolean;
  release(): void;
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  hold(options?: AcquireOptions): Guard;
  with<T>(fn: () => T): T;
}

/**
 * A re-entrant lock: Python's `threading.RLock`. The thread that holds it may
 * acquire it again; each acquire needs its own release. Owned by the thread
 * (an `acquireAsync` from a thread is owned by that thread).
 * @example
 * ```ts
 * const r = new RLock();
 * r.with(() => r.with(() => print('held twice')));
 * ```
 */
export declare class RLock implements Acquirable {
  constructor();
  /** As `Lock.acquire`; re-entering by the owner never blocks. */
  acquire(options?: AcquireOptions): boolean;
  /** Releases one level. @throws ThreadError when the calling thread does not own it. */
  release(): void;
  /** True when some thread owns it. */
  locked(): boolean;
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  hold(options?: AcquireOptions): Guard;
  with<T>(fn: () => T): T;
}

/**
 * A condition variable over a Lock or an RLock: Python's `threading.Condition`.
 * Waiting or notifying without holding the lock is a ThreadError.
 * @example
 * ```ts
 * const cond = new Condition();
 * const items = new Queue<number>();
 * spawn((cond: Condition, items: Queue<number>) => cond.with(() => { items.put(1); cond.notify(); }), cond, items);
 * cond.with(() => cond.waitFor(() => !items.empty(), 5000));
 * ```
 */
export declare class Condition implements Acquirable {
  /** @param lock default: a new RLock. @throws TypeError when it is not a Lock or an RLock. */
  constructor(lock?: Lock | RLock);
  readonly lock: Lock | RLock;
  acquire(options?: AcquireOptions): boolean;
  release(): void;
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  hold(options?: AcquireOptions): Guard;
  with<T>(fn: () => T): T;
  /**
   * Releases the lock, blocks until notified (true) or `timeout` ms pass (false),
   * and takes the lock back (all levels of an RLock) before returning.
   * @throws ThreadError when the calling thread does not hold the lock.
   */
  wait(timeout?: number): boolean;
  /** Waits until `predicate()` is truthy or `timeout` ms pass in all; returns its last value. */
  waitFor<T>(predicate: () => T, timeout?: number): T;
  /** Wakes up to `n` (default 1) waiters, oldest first. */
  notify(n?: number): void;
  notifyAll(): void;
  /**
   * The async twin of `wait`. An aborted wait takes the lock back before it
   * rejects, and a notification it had received passes to another waiter.
   */
  waitAsync(options?: AsyncWaitOptions): Promise<boolean>;
  waitForAsync<T>(predicate: () => T, options?: AsyncWaitOptions): Promise<T>;
}

/**
 * A counter of permits: Python's `threading.Semaphore`.
 * @example
 * ```ts
 * const slots = new Semaphore(2); // at most two threads inside at once
 * slots.with(() => print('inside'));
 * ```
 */
export declare class Semaphore implements Acquirable {
  /** @param value initial permits (default 1). @throws RangeError when negative. */
  constructor(value?: number);
  /** Takes a permit, blocking while there is none; options as `Lock.acquire`. */
  acquire(options?: AcquireOptions): boolean;
  /** Gives back `n` permits (default 1). @throws RangeError when `n` < 1. */
  release(n?: number): void;
  acquireAsync(options?: AsyncWaitOptions): Promise<boolean>;
  hold(options?: AcquireOptions): Guard;
  with<T>(fn: () => T): T;
}

/**
 * A Semaphore that refuses a release above its initial value: Python's
 * `threading.BoundedSemaphore`.
 * @example
 * ```ts
 * const s = new BoundedSemaphore(1);
 * s.release(); // RangeError: released too many times
 * ```
 */
export declare class BoundedSemaphore extends Semaphore {
  /** @throws RangeError when the release would exceed the initial value (nothing changes). */
  release(n?: number): void;
}

/**
 * A flag threads wait for: Python's `threading.Event`.
 * @example
 * ```ts
 * const ready = new Event();
 * spawn((ready: Event) => ready.set(), ready);
 * ready.wait(5000); // true
 * ```
 */
export declare class Event {
  constructor();
  isSet(): boolean;
  /** Sets the flag and wakes every waiter. */
  set(): void;
  clear(): void;
  /** Blocks until set (true) or `timeout` ms pass (false). */
  wait(timeout?: number): boolean;
  waitAsync(options?: AsyncWaitOptions): Promise<boolean>;
}

/**
 * `parties` threads wait for each other: Python's `threading.Barrier`.
 * @example
 * ```ts
 * const b = new Barrier(2);
 * spawn((b: Barrier) => b.wait(), b);
 * b.wait(); // 0 or 1: the order of arrival
 * ```
 */
export declare class Barrier {
  /**
   * @param parties how many threads must wait (≥ 1).
   * @param options.timeout the default timeout (ms) of `wait`.
   */
  constructor(parties: number, options?: { timeout?: number });
  readonly parties: number;
  /** Threads waiting now. */
  readonly nWaiting: number;
  readonly broken: boolean;
  /**
   * Waits for all parties; returns this thread's index (0 .. parties-1, in order of
   * arrival). A timeout breaks the barrier.
   * @throws BrokenBarrierError when it is (or becomes) broken, reset or aborted.
   */
  wait(timeout?: number): number;
  /** The async twin of `wait`; aborted before the release, the wait is withdrawn. */
  waitAsync(options?: AsyncWaitOptions): Promise<number>;
  /** Back to empty; waiting threads get BrokenBarrierError. */
  reset(): void;
  /** Breaks it: every wait throws BrokenBarrierError until `reset()`. */
  abort(): void;
}

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------

export interface PutGetOptions {
  /** Default true. With false, fail at once instead of waiting. */
  block?: boolean;
  /** Milliseconds to wait at most (not with `block: false`). */
  timeout?: number;
}

/**
 * A FIFO queue shared by every thread: Python's `queue.Queue` (3.13), with task
 * tracking and shutdown. Items: anything structured clone takes, plus handles.
 * SharedArrayBuffers in items (and typed arrays, Buffers and DataViews on them,
 * anywhere in the item) are shared, not copied: the getter sees the same memory,
 * and one buffer is one object per thread.
 */
export declare class Queue<T = unknown> {
  /** @param maxsize 0 (default) for unbounded; otherwise `put` blocks while that many items are queued. */
  constructor(maxsize?: number);
  readonly maxsize: number;
  /** The number of items now (other threads may change it at once). */
  qsize(): number;
  empty(): boolean;
  full(): boolean;
  /**
   * Puts `item` at the back, blocking while the queue is full.
   * @throws Full when `block: false` and full, or still full after `timeout`.
   * @throws ShutDown after `shutdown()`.
   * @throws TypeError when `item` cannot cross threads (the queue is unchanged).
   */
  put(item: T, options?: PutGetOptions): void;
  /** `put(item, { block: false })`. */
  putNowait(item: T): void;
  /**
   * Removes and returns the front item, blocking while the queue is empty.
   * @throws Empty when `block: false` and empty, or still empty after `timeout`.
   * @throws ShutDown when shut down and empty.
   */
  get(options?: PutGetOptions): T;
  /** `get({ block: false })`. */
  getNowait(): T;
  /**
   * Marks one item taken by `get` as processed; `join()` returns once every item put has been.
   * @throws RangeError when called more times than items were put.
   */
  taskDone(): void;
  /** Blocks until every item put has been got and marked with `taskDone()`. */
  join(): void;
  /**
   * Later puts throw ShutDown; gets return what is left, then throw ShutDown.
   * With `immediate`, the items left are dropped (each counts as done), `join()`
   * returns and blocked gets throw ShutDown at once.
   */
  shutdown(immediate?: boolean): void;
  /** The async twin of `put`: rejects with Full on timeout. */
  putAsync(item: T, options?: AsyncWaitOptions): Promise<void>;
  /** The async twin of `get`: rejects with Empty on timeout. */
  getAsync(options?: AsyncWaitOptions): Promise<T>;
  /** The async twin of `join` (no timeout, like `join`). */
  joinAsync(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * A stack shared by every thread: Python's `queue.LifoQueue` (the last item put is
 * the first got). Everything else as `Queue`.
 * @example
 * ```ts
 * const q = new LifoQueue<number>(); q.put(1); q.put(2); q.get(); // 2
 * ```
 */
export declare class LifoQueue<T = unknown> extends Queue<T> {}

/**
 * Python's `queue.PriorityQueue`: the smallest item is got first. Items are
 * numbers, strings (by code point), bigints, or arrays of these compared element
 * by element like Python tuples. Anything else, or an item that cannot be
 * compared with one already queued (a number and a string), is a TypeError at `put`.
 * @example
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * q.put([2, 'later']); q.put([1, 'first']); q.get(); // [1, 'first']
 * ```
 */
export declare class PriorityQueue<T = unknown> extends Queue<T> {}

/**
 * An unbounded FIFO without task tracking: Python's `queue.SimpleQueue`.
 * @example
 * ```ts
 * const q = new SimpleQueue<string>(); q.put('a'); q.get(); // 'a'
 * ```
 */
export declare class SimpleQueue<T = unknown> {
  constructor();
  qsize(): number;
  empty(): boolean;
  /** Never blocks (the queue is unbounded). @throws ShutDown after `shutdown()`. */
  put(item: T, options?: PutGetOptions): void;
  putNowait(item: T): void;
  get(options?: PutGetOptions): T;
  getNowait(): T;
  shutdown(immediate?: boolean): void;
  putAsync(item: T, options?: AsyncWaitOptions): Promise<void>;
  getAsync(options?: AsyncWaitOptions): Promise<T>;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** A non-blocking or timed-out `get` found the queue empty. */
export declare class Empty extends Error {
  constructor(message?: string, options?: ErrorOptions);
}
/** A non-blocking or timed-out `put` found the queue full. */
export declare class Full extends Error {
  constructor(message?: string, options?: ErrorOptions);
}
/** `put` on a shut-down queue, or `get` on one that is shut down and empty. */
export declare class ShutDown extends Error {
  constructor(message?: string, options?: ErrorOptions);
}
/** A wait on a broken Barrier. */
export declare class BrokenBarrierError extends Error {
  constructor(message?: string, options?: ErrorOptions);
}
/** Misuse of a thread or lock: start twice, join before start, release an unlocked lock. */
export declare class ThreadError extends Error {
  constructor(message: string, options?: ErrorOptions);
}

// ---------------------------------------------------------------------------
// Native kernels
// ---------------------------------------------------------------------------

/**
 * The seed tutorial's workloads run by the Rust crate on its own OS threads, with
 * no JavaScript in the loop (the benchmarks' floor). They need the native addon,
 * whichever backend runs the rest.
 * @throws Error when the addon cannot load on this platform.
 */
export declare const native: {
  /** Two threads read a shared number, sleep `sleepMs` (default 100), write it back +1: returns 1 unlocked, 2 locked. */
  seedRace(locked: boolean, sleepMs?: number): number;
  /** `workers` threads (default 10) take the ints 0..items-1 (default 20) from a queue, taskDone each; returns their sum. */
  seedQueue(workers?: number, items?: number): number;
};
