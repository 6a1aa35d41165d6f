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
import type { QueueLane } from './queue-lane.js';

export type Handle = number;

export type ObjectKind =
  | 'lock'
  | 'rlock'
  | 'condition'
  | 'semaphore'
  | 'event'
  | 'barrier'
  | 'value'
  | 'queue'
  | 'thread';

/** Storage order of a queue. `simple` is FIFO, unbounded, without task tracking. */
export type QueueFlavor = 'fifo' | 'lifo' | 'priority' | 'simple';

export type ValueType = 'i32' | 'u32' | 'i64' | 'f64';

/** Queue put outcome. */
export enum PutStatus {
  Ok = 0,
  /** Timed out (or would block) on a full queue. */
  Full = 1,
  /** The queue is shut down. */
  ShutDown = 2,
  /** Priority queue: the key cannot be compared with one it met (Python's TypeError). */
  Incomparable = 3,
}

/**
 * Priority keys (made by the front end, compared by both backends the same way).
 * A key is a sequence of elements, each `tag: u8, length: u32 LE, payload`:
 *   0x01 number   payload: the value as an order-preserving byte string (compare bytes)
 *   0x02 string   payload: UTF-8 (byte order is code point order)
 *   0x03 [        an array opens (payload empty)
 *   0x04 ]        an array closes (payload empty)
 * Compare two keys element by element: the same tag compares payloads bytewise
 * (then by length; 0x03/0x04 are equal to themselves); when one key ends, or has
 * `]` where the other has anything else, the shorter (the one with `]`) is less,
 * as in Python's tuples; any other pair of different tags cannot be compared.
 */
export function comparePriorityKeys(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 | undefined {
  let i = 0;
  let j = 0;
  for (;;) {
    if (i >= a.length || j >= b.length) return i >= a.length ? (j >= b.length ? 0 : -1) : 1;
    const ta = a[i];
    const tb = b[j];
    const la = a[i + 1] | (a[i + 2] << 8) | (a[i + 3] << 16) | (a[i + 4] << 24);
    const lb = b[j + 1] | (b[j + 2] << 8) | (b[j + 3] << 16) | (b[j + 4] << 24);
    if (ta !== tb) {
      if (ta === 0x04) return -1;
      if (tb === 0x04) return 1;
      return undefined;
    }
    const n = Math.min(la, lb);
    for (let k = 0; k < n; k++) {
      const d = a[i + 5 + k] - b[j + 5 + k];
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    if (la !== lb) return la < lb ? -1 : 1;
    i += 5 + la;
    j += 5 + lb;
  }
}

/** A 32-bit word in shared memory: `words[index]`. */
export interface WordRef {
  words: Int32Array;
  index: number;
}

/**
 * An RLock's words in shared memory (crate/src/rlock.rs; the js backend's
 * record, js/rlock.ts), with JS's steps over them: each does its whole job with
 * Atomics and no backend call, or returns false having changed nothing.
 */
export interface RLockWords {
  /** Taken, or re-entered by its owner `owner` (count + 1); false: another thread holds it. */
  acquire(owner: Handle): boolean;
  /** One level released for `owner`; false: not done (use `rlockRelease`, which wakes waiters and reports a non-owner). */
  release(owner: Handle): boolean;
  /** Whether `owner` holds it (exact for its own question). */
  owns(owner: Handle): boolean;
  /** Every level `owner` holds let go of (Condition.wait): how many; -1: not done (use `rlockReleaseAll`). */
  releaseAll(owner: Handle): number;
  /** Taken with `count` levels (Condition.wait's restore; an owner's levels add up); false: another thread holds it. */
  acquireCount(owner: Handle, count: number): boolean;
  /** Whether some thread holds it (a snapshot). */
  locked(): boolean;
}

/**
 * A Value's memory: `i32`/`u32`/`f64`/`i64` views that all start at the same
 * byte (the same buffer), and the index of the value in each: `index32` for the
 * 32-bit views, `index64` for the 64-bit ones. Only the view of the value's type
 * is meant to be used (f64 also uses `i64`, for its bits).
 */
export interface ValueView {
  type: ValueType;
  i32: Int32Array;
  u32: Uint32Array;
  f64: Float64Array;
  i64: BigInt64Array;
  index32: number;
  index64: number;
}

/** Queue get outcome when no item was taken. */
export enum GetStatus {
  /** Timed out (or would block) on an empty queue. */
  Empty = 1,
  /** The queue is shut down and empty. */
  ShutDown = 2,
}

/** RLock release outcome. */
export enum RlockRelease {
  /** Released one level (and the lock is free if that was the last). */
  Ok = 0,
  /** The caller does not own it (or nobody does): nothing changed. */
  NotOwner = 1,
}

/** Condition wait outcome. */
export enum CondWait {
  Notified = 0,
  TimedOut = 1,
}

/** Barrier wait outcome (besides an index ≥ 0). */
export enum BarrierStatus {
  /** Broken before or while waiting (abort, reset, a waiter's timeout). */
  Broken = -1,
  /** Still waiting (only from the non-blocking poll). */
  Waiting = -2,
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
   * (the js backend's SharedArrayBuffer; the native backend's `.node` path).
   * Passed through `workerData` and given back to the backend's loader inside
   * the worker (backend/select.ts). Structured-clonable.
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
  /**
   * Where the lock's state word lives, for the front end's no-call fast paths
   * (an addon call costs 10× an Atomics operation); undefined when it cannot be
   * reached from JS, and the front end then keeps to the calls above. Bit 0 of
   * the word is set exactly while the lock is held, on both backends.
   */
  lockWord(h: Handle): WordRef | undefined;
  /** One acquire attempt through the word; never blocks. False: not taken (use `lockAcquire`). */
  lockWordAcquire(words: Int32Array, index: number): boolean;
  /** Release through the word. False: not done (use `lockRelease`, which also reports "not locked"). */
  lockWordRelease(words: Int32Array, index: number): boolean;
  /**
   * For an async twin about to watch the epoch of a held lock: makes sure its
   * next release moves the epoch (a release through the word might not). False,
   * and no change, when the lock is free: try to take it again instead.
   */
  lockMarkWaiting(h: Handle): boolean;

  // --- Value: one shared number --------------------------------------------
  valueNew(type: ValueType, initial: number | bigint): Handle;
  valueType(h: Handle): ValueType;
  /** Plain (racy) load and store; i64 uses bigint, the others number. */
  valueGet(h: Handle): number | bigint;
  valueSet(h: Handle, v: number | bigint): void;
  /** Atomic; return the previous value. For f64, add is a CAS loop. */
  valueAdd(h: Handle, n: number | bigint): number | bigint;
  valueCompareExchange(h: Handle, expected: number | bigint, replacement: number | bigint): number | bigint;
  /** Typed arrays over the value's memory, for loads, stores and Atomics with no backend call; undefined when unreachable. */
  valueView(h: Handle): ValueView | undefined;

  // --- Queue: bounded when maxsize > 0, with task tracking ---------------------
  /**
   * A `priority` queue orders items by the `key` given to `queuePut` (see
   * `comparePriorityKeys` below for the format); ties leave in put order. A
   * `simple` queue ignores maxsize (0) and task tracking (taskDone/join are not
   * called on it).
   */
  queueNew(maxsize: number, flavor: QueueFlavor): Handle;
  queueMaxsize(h: Handle): number;
  /**
   * Takes ownership of `item` (and the handles in its header) only when it returns Ok.
   * `key` is given for priority queues only. Returns `PutStatus.Incomparable` (and
   * changes nothing) when the key cannot be compared with a key it meets on the way in.
   */
  queuePut(h: Handle, item: Uint8Array, timeoutMs: number, key?: Uint8Array): PutStatus;
  /**
   * The item (its handle references pass to the caller), or why there is none.
   * With `into`, an item that fits is copied to its start and returned as
   * `into.subarray(0, length)` (valid until `into` is used again), sparing an
   * allocation per item; one that does not fit comes back as an array of its own.
   */
  queueGet(h: Handle, timeoutMs: number, into?: Uint8Array): Uint8Array | GetStatus;
  /**
   * A FIFO queue's lane (queue-lane.ts): put and get of small items with no
   * backend call, for the front end to try before queuePut/queueGet. Undefined
   * when there is none (the js backend, the other flavors): use those calls.
   */
  queueLane(h: Handle): QueueLane | undefined;
  queueSize(h: Handle): number;
  /** False (and no change) when there was no unfinished task. */
  queueTaskDone(h: Handle): boolean;
  /** True once the unfinished-task count is 0; false on timeout. */
  queueJoin(h: Handle, timeoutMs: number): boolean;
  /** Python 3.13: later puts fail; `immediate` drops the items (each counts as a taskDone). */
  queueShutdown(h: Handle, immediate: boolean): void;
  queueIsShutDown(h: Handle): boolean;

  // --- RLock: re-entrant, owned by a thread (named by its thread record) -------
  // `owner` is the caller's thread record handle (the logical thread, never an OS
  // thread id). Epoch moves on every release that frees it.
  rlockNew(): Handle;
  /** True when acquired (or re-entered by its owner: count + 1). */
  rlockAcquire(h: Handle, owner: Handle, timeoutMs: number): boolean;
  rlockRelease(h: Handle, owner: Handle): RlockRelease;
  rlockLocked(h: Handle): boolean;
  rlockIsOwned(h: Handle, owner: Handle): boolean;
  /** The owner's thread record handle, 0 when free (a racy snapshot, for reporting a dead owner). */
  rlockOwner(h: Handle): Handle;
  /** Releases every level the owner holds (for Condition.wait); returns the count, 0 if not the owner. */
  rlockReleaseAll(h: Handle, owner: Handle): number;
  /** Acquires and sets the count back (after Condition.wait); like rlockAcquire otherwise. */
  rlockAcquireCount(h: Handle, owner: Handle, count: number, timeoutMs: number): boolean;
  /**
   * The RLock's words for the front end's no-call fast paths, as lockWord;
   * undefined when JS cannot reach them, and the front end then keeps to the
   * calls above. (On the js backend those calls are plain JS too, but the
   * front end's general path around them costs ~3x the fast one.)
   */
  rlockWords(h: Handle): RLockWords | undefined;
  /** As lockMarkWaiting: a release through the words moves no epoch unless marked. */
  rlockMarkWaiting(h: Handle): boolean;

  // --- Condition: waiters and notifications; the lock is the front end's --------
  // A waiter registers (gets a ticket) before the front end releases the lock,
  // so a notify between the release and the wait is not lost. Tickets are
  // served in FIFO order. Epoch moves on every notify that wakes someone.
  condNew(): Handle;
  /** Registers a waiter; returns its ticket (> 0). */
  condRegister(h: Handle): number;
  /**
   * Blocks until the ticket is notified (Notified: the ticket is used up) or the
   * timeout passes (TimedOut: the ticket is withdrawn, unless a notify got it
   * first, which makes it Notified). timeoutMs is -1 or > 0.
   */
  condWait(h: Handle, ticket: number, timeoutMs: number): CondWait;
  /** Non-blocking: true (the ticket is used up) if it has been notified; false if it still waits. */
  condPoll(h: Handle, ticket: number): boolean;
  /**
   * Withdraws a ticket that is still waiting. Returns true if it had already been
   * notified (the caller then owns that notification: pass it on or use it).
   */
  condCancel(h: Handle, ticket: number): boolean;
  /** Notifies up to `n` waiting tickets, oldest first; returns how many. */
  condNotify(h: Handle, n: number): number;
  condNotifyAll(h: Handle): number;
  /** Number of tickets still waiting (tests, Barrier-free checks). */
  condWaiting(h: Handle): number;

  // --- Semaphore and BoundedSemaphore --------------------------------------------
  /** `bound` is the BoundedSemaphore's limit, or -1 for a plain Semaphore. */
  semNew(value: number, bound: number): Handle;
  /** True when a permit was taken. */
  semAcquire(h: Handle, timeoutMs: number): boolean;
  /** Adds `n` permits; false (and nothing changes) when that would exceed the bound. Epoch moves. */
  semRelease(h: Handle, n: number): boolean;
  semValue(h: Handle): number;

  // --- Event ---------------------------------------------------------------------
  eventNew(): Handle;
  eventIsSet(h: Handle): boolean;
  /** Epoch moves on set. */
  eventSet(h: Handle): void;
  eventClear(h: Handle): void;
  /** True once set (at once if set); false on timeout. */
  eventWait(h: Handle, timeoutMs: number): boolean;
  /**
   * The event's state word, for the front end's isSet, set and clear without a
   * call, and a brief spin before it waits; undefined when unreachable. On both
   * backends bit 0 is the flag.
   */
  eventWord(h: Handle): WordRef | undefined;
  /** Set through the word. False: not done (a waiter or watcher is marked; use `eventSet`). */
  eventWordSet(words: Int32Array, index: number): boolean;
  /** Clear through the word (nobody waits for a clear, so it never needs a call). */
  eventWordClear(words: Int32Array, index: number): void;
  /** For an async twin about to watch the epoch: makes sure the next set moves it (a set through the word might not). */
  eventMarkWatched(h: Handle): void;
  /** eventWait, counting every set since the word (from eventWord) read `seenWord`. */
  eventWaitSince(h: Handle, seenWord: number, timeoutMs: number): boolean;

  // --- Barrier (CPython's four-state machine: filling, draining, resetting, broken) --
  // Epoch moves on release, break, abort and reset.
  barrierNew(parties: number): Handle;
  barrierParties(h: Handle): number;
  barrierNWaiting(h: Handle): number;
  barrierBroken(h: Handle): boolean;
  /**
   * Arrives (waiting while the barrier drains or resets, as CPython's _enter does;
   * timeoutMs -1 waits for ever, 0 returns Waiting instead of waiting, > 0 returns
   * Waiting when it passes). Returns a ticket (> 0) naming this arrival, or Broken.
   * The last of `parties` arrivals releases everyone (its own wait then returns at once).
   */
  barrierArrive(h: Handle, timeoutMs: number): number;
  /**
   * Waits for the arrival's release: its index (0 .. parties-1, in arrival order),
   * or Broken. On timeout the barrier breaks (as in Python) and Broken is returned.
   * A 0 timeout polls: Waiting when not released yet.
   */
  barrierWait(h: Handle, ticket: number, timeoutMs: number): number;
  /**
   * Withdraws an arrival that is still waiting, as if it had never arrived (for an
   * aborted async wait). Returns its index if it had already been released, else -1.
   */
  barrierCancel(h: Handle, ticket: number): number;
  barrierAbort(h: Handle): void;
  barrierReset(h: Handle): void;

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
  /**
   * Running → Done; takes ownership of `data`; wakes every joiner. A record that
   * is Done already keeps its first outcome (the handles in `data` are released).
   */
  threadFinish(h: Handle, data: Uint8Array, failed: boolean): void;
  /**
   * Should this isolate be torn down while `h` is still Running (killed by its
   * heap limit: no JS runs then), finish `h` with `data` (failed). One per
   * isolate; a later call replaces it. The js backend cannot run anything at
   * teardown, so there it does nothing (joiners notice the OS thread is gone),
   * and never calls `epitaph` (encoding it costs microseconds per thread).
   */
  threadSetEpitaph(h: Handle, epitaph: () => Uint8Array): void;
  threadClearEpitaph(): void;
  /** True once Done; false on timeout. */
  threadJoin(h: Handle, timeoutMs: number): boolean;
  /** The outcome once Done (the same bytes to every caller; their handles stay owned by the record), else undefined. */
  threadOutcome(h: Handle): ThreadOutcome | undefined;
  /** Every record that is Running, in order of handle. */
  threadsRunning(): Handle[];
}
