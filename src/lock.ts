/**
 * Lock: Python's `threading.Lock`. A real mutex shared by every thread; any
 * thread may release it (it has no owner), as in Python.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Guard, holdGuard, withHeld } from './guard.js';
import { blocking } from './output.js';
import { handleOf, kHandle, registerKind, track } from './handles.js';
import { checkArity, checkBoolean, checkOptions, checkTimeout, type Millis } from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

export interface AcquireOptions {
  blocking?: boolean;
  timeout?: number;
}

/** Parses `{ blocking = true, timeout? }` into the backend's timeout. */
export function acquireTimeout(options: unknown, method: string): Millis {
  const raw = checkOptions(options, `${method} options`, ['blocking', 'timeout']);
  const blocking = raw.blocking === undefined ? true : checkBoolean(raw.blocking, 'blocking');
  if (!blocking) {
    if (raw.timeout !== undefined) {
      throw new TypeError('timeout cannot be given with blocking: false');
    }
    return 0;
  }
  return checkTimeout(raw.timeout, 'timeout');
}

export class Lock {
  declare readonly [kHandle]: Handle;

  constructor() {
    checkArity(arguments, 0, 'new Lock()');
    Object.defineProperty(this, kHandle, { value: backend.lockNew() });
    track(this);
  }

  /**
   * Blocks until the lock is free, then takes it and returns true. With
   * `blocking: false`, returns false at once if it is taken; with `timeout` (ms),
   * returns false when it is still taken after that long.
   */
  acquire(options?: AcquireOptions): boolean {
    checkArity(arguments, 1, 'acquire');
    const h = handleOf(this, 'Lock');
    const timeout = acquireTimeout(options, 'acquire');
    return backend.lockAcquire(h, 0) || (timeout !== 0 && blocking(() => backend.lockAcquire(h, timeout)));
  }

  /** Frees the lock; any thread may. Throws ThreadError when it is not locked. */
  release(): void {
    checkArity(arguments, 0, 'release');
    if (!backend.lockRelease(handleOf(this, 'Lock'))) throw new ThreadError('release unlocked lock');
  }

  locked(): boolean {
    return backend.lockLocked(handleOf(this, 'Lock'));
  }

  /** The async twin of `acquire`: resolves true once taken, false on timeout. */
  acquireAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<boolean> {
    try {
      checkArity(arguments, 1, 'acquireAsync');
      const opts = asyncOptions(options);
      const h = handleOf(this, 'Lock');
      return untilDone(h, () => backend.lockAcquire(h, 0) || kRetry, opts, () => false);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Acquires (as `acquire(options)`) and returns a guard that releases on dispose. */
  hold(options?: AcquireOptions): Guard {
    checkArity(arguments, 1, 'hold');
    return holdGuard(this, options);
  }

  /** Runs `fn` holding the lock (Python's `with lock:`); returns what `fn` returns. */
  with<T>(fn: () => T): T {
    checkArity(arguments, 1, 'with');
    return withHeld(this, fn);
  }

  get [Symbol.toStringTag](): string {
    return this.locked() ? 'Lock locked' : 'Lock unlocked';
  }
}

registerKind('lock', (h) => {
  const lock = Object.create(Lock.prototype) as Lock;
  Object.defineProperty(lock, kHandle, { value: h });
  return lock;
});

