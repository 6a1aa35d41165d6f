/**
 * Condition: Python's `threading.Condition`, over a Lock or an RLock.
 *
 * The backend keeps only the waiters (tickets, served oldest first); the lock
 * stays the front end's. A waiter takes its ticket before it lets go of the lock,
 * so a notify that comes between the release and the wait is not lost; after the
 * wait it takes the lock back, whatever happened (CPython's wait does the same in
 * a `finally`). Over an RLock, `wait` lets go of every level the thread holds and
 * takes them all back (`_release_save`/`_acquire_restore` in CPython).
 */
import { backend } from './backend/select.js';
import { CondWait, type Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable } from './guard.js';
import { brand, handleOf, isHandleObject, kHandle, kTransit, registerKind, track, type Transit } from './handles.js';
import { Lock } from './lock.js';
import { blocking } from './output.js';
import { checkOwnerAlive, DEAD_OWNER_CHECK_MS, RLock, rlockOwned, rlockReleaseSave, rlockRestore } from './rlock.js';
import { currentRecord } from './thread.js';
import { checkArity, checkInteger, checkTimeout, FOREVER, typeError, type Millis } from './validate.js';
import { asyncOptions, kRetry, untilDone, type AsyncOptions } from './waiting.js';

const kLock = Symbol('native-threads.condition.lock');

/** How long a wait looks at its ticket (non-blocking) before it parks, in ms. */
const POLL_MS = 0.02;

/** How a Condition lets go of its lock for a wait and takes it back, per kind of lock. */
function releaseSave(lock: Lock | RLock): number {
  if (lock instanceof RLock) return rlockReleaseSave(lock);
  lock.release();
  return 1;
}

function acquireRestore(lock: Lock | RLock, saved: number): void {
  // Either lock's own way: its word and spin first (the notifier is usually out
  // within a microsecond), where a backend call parks at once.
  if (lock instanceof RLock) rlockRestore(lock, saved);
  else lock.acquire();
}

/**
 * Before an async waiter watches the lock's epoch: a release through the lock's
 * shared words moves no epoch unless marked (Lock.prepareWatch). False when the
 * lock is free: try again instead of watching.
 */
function markWaiting(lock: Lock | RLock): boolean {
  const h = lock[kHandle];
  return lock instanceof RLock ? backend.rlockMarkWaiting(h) : backend.lockMarkWaiting(h);
}

function acquireRestoreAsync(lock: Lock | RLock, saved: number): Promise<boolean> {
  // The Lock's own twin marks the lock watched before it waits: a release
  // through the lock's word moves no epoch otherwise, and the wait would hang.
  if (lock instanceof Lock) return lock.acquireAsync();
  const options: AsyncOptions = { timeout: FOREVER, signal: undefined };
  const h = lock[kHandle];
  const attempt = (): boolean | typeof kRetry => {
    for (;;) {
      if (backend.rlockAcquireCount(h, currentRecord(), saved, 0)) return true;
      checkOwnerAlive(h);
      // Watched before it waits: a release through the RLock's words moves no
      // epoch otherwise. False: it came free meanwhile, so try again.
      if (markWaiting(lock)) return kRetry;
    }
  };
  return untilDone(h, attempt, options, () => false, DEAD_OWNER_CHECK_MS);
}

/** The condition's handle, once the calling thread is known to hold its lock. */
function ownedHandle(condition: Condition, method: string): Handle {
  const h = handleOf(condition, Condition);
  if (!isOwned(condition[kLock])) throw new ThreadError(`cannot ${method} on un-acquired lock`);
  return h;
}

function isOwned(lock: Lock | RLock): boolean {
  // A plain Lock has no owner: Python counts it owned when it is locked.
  return lock instanceof RLock ? rlockOwned(lock) : lock.locked();
}

export class Condition extends Acquirable {
  declare readonly [kHandle]: Handle;
  declare readonly [kLock]: Lock | RLock;

  /** @param lock a Lock or an RLock (default: a new RLock). */
  constructor(lock?: Lock | RLock) {
    checkArity(arguments.length, 1, 'new Condition()');
    const own = lock === undefined ? new RLock() : lock;
    if ((!(own instanceof Lock) && !(own instanceof RLock)) || !isHandleObject(own)) {
      throw typeError('lock', 'a Lock or an RLock made by its constructor', lock);
    }
    super();
    Object.defineProperty(this, kLock, { value: own });
    Object.defineProperty(this, kHandle, { value: backend.condNew() });
    track(this);
  }

  /** The lock under this condition. */
  get lock(): Lock | RLock {
    return this[kLock];
  }

  get [kTransit](): Transit {
    return { parts: [this[kLock]] };
  }

  protected tryAcquire(): boolean {
    return this[kLock].acquire({ blocking: false });
  }

  protected acquireWaiting(timeout: Millis): boolean {
    return this[kLock].acquire({ timeout });
  }

  protected releaseSignal(): Handle {
    return this[kLock][kHandle];
  }

  protected override prepareWatch(): boolean {
    return markWaiting(this[kLock]);
  }

  protected override checkHolder(): void {
    const lock = this[kLock];
    if (lock instanceof RLock) checkOwnerAlive(lock[kHandle]);
  }

  protected override ownerCheckMs(): number {
    return this[kLock] instanceof RLock ? DEAD_OWNER_CHECK_MS : Infinity;
  }

  release(): void {
    checkArity(arguments.length, 0, 'release');
    this[kLock].release();
  }

  /**
   * Lets go of the lock, blocks until notified (true) or `timeout` ms pass
   * (false), and takes the lock back before returning.
   * @throws ThreadError when the calling thread does not hold the lock.
   */
  wait(timeout?: number): boolean {
    checkArity(arguments.length, 1, 'wait');
    const ms = checkTimeout(timeout, 'timeout');
    const h = ownedHandle(this, 'wait');
    const lock = this[kLock];
    const ticket = backend.condRegister(h);
    const saved = releaseSave(lock);
    try {
      if (ms === 0) return backend.condPoll(h, ticket) || backend.condCancel(h, ticket);
      // A notify from a running thread usually comes within microseconds; a
      // parked wait costs a futex wake-up (10–50 µs on a VM) on each side.
      const spinUntil = performance.now() + POLL_MS;
      do if (backend.condPoll(h, ticket)) return true;
      while (performance.now() < spinUntil);
      return blocking(() => backend.condWait(h, ticket, ms)) === CondWait.Notified;
    } catch (error) {
      backend.condCancel(h, ticket);
      throw error;
    } finally {
      acquireRestore(lock, saved);
    }
  }

  /**
   * Waits until `predicate()` is truthy (checked first, then after each wakeup),
   * or `timeout` ms pass in all; returns the predicate's last value.
   */
  waitFor<T>(predicate: () => T, timeout?: number): T {
    checkArity(arguments.length, 2, 'waitFor');
    if (typeof predicate !== 'function') throw typeError('predicate', 'a function', predicate);
    const ms = checkTimeout(timeout, 'timeout');
    const deadline = ms === FOREVER ? Infinity : performance.now() + ms;
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.wait(deadline === Infinity ? undefined : left);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` (default 1) waiters. @throws ThreadError when the lock is not held. */
  notify(n = 1): void {
    checkArity(arguments.length, 1, 'notify');
    checkInteger(n, 'n', 0);
    backend.condNotify(ownedHandle(this, 'notify'), n);
  }

  /** Wakes every waiter. @throws ThreadError when the lock is not held. */
  notifyAll(): void {
    checkArity(arguments.length, 0, 'notifyAll');
    backend.condNotifyAll(ownedHandle(this, 'notify'));
  }

  /**
   * The async twin of `wait`. An aborted wait takes the lock back before it
   * rejects, and a notification it had already received goes to another waiter.
   */
  async waitAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    checkArity(arguments.length, 1, 'waitAsync');
    const opts = asyncOptions(options);
    const h = ownedHandle(this, 'wait');
    const lock = this[kLock];
    const ticket = backend.condRegister(h);
    const saved = releaseSave(lock);
    let notified = false;
    let aborted: { reason: unknown } | undefined;
    try {
      notified = await untilDone(h, () => backend.condPoll(h, ticket) || kRetry, opts, () => backend.condCancel(h, ticket));
    } catch (reason) {
      if (backend.condCancel(h, ticket)) backend.condNotify(h, 1);
      aborted = { reason };
    }
    await acquireRestoreAsync(lock, saved);
    if (aborted !== undefined) throw aborted.reason;
    return notified;
  }

  /** The async twin of `waitFor`. */
  async waitForAsync<T>(predicate: () => T, options?: { timeout?: number; signal?: AbortSignal }): Promise<T> {
    checkArity(arguments.length, 2, 'waitForAsync');
    if (typeof predicate !== 'function') throw typeError('predicate', 'a function', predicate);
    const { timeout, signal } = asyncOptions(options);
    const deadline = timeout === FOREVER ? Infinity : performance.now() + timeout;
    let result = predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await this.waitAsync({ timeout: deadline === Infinity ? undefined : left, signal });
      result = predicate();
    }
    return result;
  }
}

brand(Condition);

registerKind('condition', (h, _tag, parts) => {
  const lock = parts[0];
  if (!(lock instanceof Lock) && !(lock instanceof RLock)) throw new TypeError(`invalid handle ${h}: a Condition arrived without its lock`);
  const condition = Object.create(Condition.prototype) as Condition;
  Object.defineProperty(condition, kHandle, { value: h });
  Object.defineProperty(condition, kLock, { value: lock });
  return condition;
});
