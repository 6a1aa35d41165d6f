/**
 * RLock: Python's `threading.RLock`, a lock its owner may take again (each take
 * needs its own release). The owner is the logical thread (its record handle),
 * so an async acquire from the main thread is owned by the main thread.
 */
import { backend } from './backend/select.js';
import { RlockRelease, type Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Guard, holdGuard, withHeld } from './guard.js';
import { handleOf, kHandle, registerKind, track } from './handles.js';
import { acquireTimeout, type AcquireOptions } from './lock.js';
import { blocking } from './output.js';
import { currentRecord } from './thread.js';
import { checkArity } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

export class RLock {
  declare readonly [kHandle]: Handle;

  constructor() {
    checkArity(arguments, 0, 'new RLock()');
    Object.defineProperty(this, kHandle, { value: backend.rlockNew() });
    track(this);
  }

  /**
   * Takes the lock, or takes it once more if the calling thread owns it. Blocks
   * while another thread owns it; `blocking: false` and `timeout` as `Lock.acquire`.
   */
  acquire(options?: AcquireOptions): boolean {
    checkArity(arguments, 1, 'acquire');
    const h = handleOf(this, 'RLock');
    const timeout = acquireTimeout(options, 'acquire');
    const me = currentRecord();
    return backend.rlockAcquire(h, me, 0) || (timeout !== 0 && blocking(() => backend.rlockAcquire(h, me, timeout)));
  }

  /** Releases one level. @throws ThreadError when the calling thread does not own it. */
  release(): void {
    checkArity(arguments, 0, 'release');
    if (backend.rlockRelease(handleOf(this, 'RLock'), currentRecord()) === RlockRelease.NotOwner) {
      throw new ThreadError('cannot release un-acquired lock');
    }
  }

  /** True when some thread owns it. */
  locked(): boolean {
    return backend.rlockLocked(handleOf(this, 'RLock'));
  }

  /** The async twin of `acquire`; the lock is owned by the calling thread. */
  acquireAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments, 1, 'acquireAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, 'RLock');
      const me = currentRecord();
      return untilDone(h, () => backend.rlockAcquire(h, me, 0) || kRetry, opts, () => false);
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
}

registerKind('rlock', (h) => {
  const lock = Object.create(RLock.prototype) as RLock;
  Object.defineProperty(lock, kHandle, { value: h });
  return lock;
});
