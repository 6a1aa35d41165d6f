/**
 * Semaphore and BoundedSemaphore: Python's counters of permits. A bounded one
 * refuses a release that would take it above its initial value.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { Guard, holdGuard, withHeld } from './guard.js';
import { handleOf, kHandle, kTransit, registerKind, track, type Transit } from './handles.js';
import { acquireTimeout, type AcquireOptions } from './lock.js';
import { blocking } from './output.js';
import { checkArity, checkInteger } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

const MAX_PERMITS = 2 ** 31 - 1;

export class Semaphore {
  declare readonly [kHandle]: Handle;

  /** @param value the initial number of permits (default 1). @throws RangeError when negative. */
  constructor(value = 1) {
    checkArity(arguments, 1, `new ${new.target.name}()`);
    checkInteger(value, 'value', 0, MAX_PERMITS);
    Object.defineProperty(this, kHandle, { value: backend.semNew(value, new.target === BoundedSemaphore ? value : -1) });
    track(this);
  }

  /** Takes a permit, blocking while there is none; `blocking: false` and `timeout` as `Lock.acquire`. */
  acquire(options?: AcquireOptions): boolean {
    checkArity(arguments, 1, 'acquire');
    const h = handleOf(this, 'Semaphore');
    const timeout = acquireTimeout(options, 'acquire');
    return backend.semAcquire(h, 0) || (timeout !== 0 && blocking(() => backend.semAcquire(h, timeout)));
  }

  /**
   * Gives back `n` permits (default 1), waking up to `n` waiters.
   * @throws RangeError for a bounded semaphore released more times than acquired.
   */
  release(n = 1): void {
    checkArity(arguments, 1, 'release');
    checkInteger(n, 'n', 1, MAX_PERMITS);
    if (!backend.semRelease(handleOf(this, 'Semaphore'), n)) {
      throw new RangeError('Semaphore released too many times');
    }
  }

  acquireAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments, 1, 'acquireAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, 'Semaphore');
      return untilDone(h, () => backend.semAcquire(h, 0) || kRetry, opts, () => false);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  hold(options?: AcquireOptions): Guard {
    checkArity(arguments, 1, 'hold');
    return holdGuard(this, options);
  }

  with<T>(fn: () => T): T {
    checkArity(arguments, 1, 'with');
    return withHeld(this, fn);
  }

  /** Crosses threads as the class it is. */
  get [kTransit](): Transit {
    return { tag: this instanceof BoundedSemaphore ? 'BoundedSemaphore' : 'Semaphore' };
  }
}

/** A Semaphore that refuses (RangeError) a release above its initial value. */
export class BoundedSemaphore extends Semaphore {}

registerKind('semaphore', (h, tag) => {
  const semaphore = Object.create((tag === 'BoundedSemaphore' ? BoundedSemaphore : Semaphore).prototype) as Semaphore;
  Object.defineProperty(semaphore, kHandle, { value: h });
  return semaphore;
});
