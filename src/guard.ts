/**
 * What every acquirable primitive (Lock, RLock, Semaphore, BoundedSemaphore,
 * Condition) has in common: Python's `acquire(blocking, timeout)` rules, the
 * async twin, and `hold()`/`with()` (the `with lock:` of Python). A primitive
 * only says how to take it without waiting, how to wait for it, and which
 * backend object's epoch moves when it may have become free.
 */
import type { Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { blocking } from './output.js';
import { checkArity, checkBoolean, checkOptions, checkTimeout, type Millis } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

export interface AcquireOptions {
  blocking?: boolean;
  timeout?: number;
}

/** Parses `{ blocking = true, timeout? }` into the backend's timeout (0: do not wait). */
export function acquireTimeout(options: unknown, method: string): Millis {
  const raw = checkOptions(options, `${method} options`, ['blocking', 'timeout']);
  const blockingWait = raw.blocking === undefined ? true : checkBoolean(raw.blocking, 'blocking');
  if (!blockingWait) {
    if (raw.timeout !== undefined) {
      throw new TypeError('timeout cannot be given with blocking: false');
    }
    return 0;
  }
  return checkTimeout(raw.timeout, 'timeout');
}

/** The receiver of an Acquirable method, checked: a method called on another object is a TypeError. */
function self(receiver: unknown, method: string): Acquirable {
  if (!(receiver instanceof Acquirable)) {
    throw new TypeError(`this must be a Lock, RLock, Semaphore or Condition: ${method} was called on another object`);
  }
  return receiver;
}

export abstract class Acquirable {
  /** Takes it if that needs no wait. */
  protected abstract tryAcquire(): boolean;
  /** Waits for it, `timeout` ms at most (-1: for ever); true when taken. */
  protected abstract acquireWaiting(timeout: Millis): boolean;
  /** The backend object whose epoch moves when it may have become free. */
  protected abstract releaseSignal(): Handle;
  /**
   * Called by the async twin after a failed try, before it watches the epoch:
   * false when the primitive became free meanwhile (try again, do not watch).
   * Lock overrides it: a release through its shared word moves no epoch unless
   * a waiter said it is watching.
   */
  protected prepareWatch(): boolean {
    return true;
  }
  abstract release(): void;

  /**
   * Throws when waiting can never succeed because the holder is gone (an RLock
   * whose owner's thread ended: its epoch will not move). An async acquire calls
   * it after each failed try, and tries again at least every `ownerCheckMs()`.
   */
  protected checkHolder(): void {}

  protected ownerCheckMs(): number {
    return Infinity;
  }

  /**
   * Blocks until it is free, then takes it and returns true. With
   * `blocking: false`, returns false at once if it cannot be taken; with
   * `timeout` (ms), returns false when it still cannot be taken after that long.
   */
  acquire(options?: AcquireOptions): boolean {
    checkArity(arguments.length, 1, 'acquire');
    const it = self(this, 'acquire');
    const timeout = acquireTimeout(options, 'acquire');
    return it.tryAcquire() || (timeout !== 0 && blocking(() => it.acquireWaiting(timeout)));
  }

  /** The async twin of `acquire`: resolves true once taken, false on timeout. */
  acquireAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments.length, 1, 'acquireAsync');
      const it = self(this, 'acquireAsync');
      const opts = asyncOptions(options);
      const attempt = (): boolean | typeof kRetry => {
        for (;;) {
          if (it.tryAcquire()) return true;
          it.checkHolder();
          if (it.prepareWatch()) return kRetry;
        }
      };
      return untilDone(it.releaseSignal(), attempt, opts, () => false, it.ownerCheckMs());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Acquires (as `acquire(options)`) and returns a guard that releases on dispose. */
  hold(options?: AcquireOptions): Guard {
    checkArity(arguments.length, 1, 'hold');
    if (!self(this, 'hold').acquire(options)) {
      throw new ThreadError(`could not acquire the ${this.constructor.name} (${options?.blocking === false ? 'non-blocking' : 'timed out'})`);
    }
    return new Guard(this);
  }

  /** Runs `fn` holding it (Python's `with lock:`); returns what `fn` returns, releasing when it returns, throws or its Promise settles. */
  with<T>(fn: () => T): T {
    checkArity(arguments.length, 1, 'with');
    self(this, 'with');
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
    this.acquire();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.release();
      throw error;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.release()) as T;
    }
    this.release();
    return result;
  }
}

/** Releases what `hold()` acquired, once, on `release()` or `[Symbol.dispose]()`. */
export class Guard implements Disposable {
  #target: Acquirable | undefined;

  constructor(target: Acquirable) {
    this.#target = target;
  }

  release(): void {
    const target = this.#target;
    if (target === undefined) return;
    this.#target = undefined;
    target.release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
