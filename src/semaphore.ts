/**
 * Semaphore and BoundedSemaphore: Python's counters of permits. A bounded one
 * refuses a release that would take it above its initial value.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { Acquirable } from './guard.js';
import { brand, handleOf, kHandle, kTransit, registerKind, track, type Transit } from './handles.js';
import { checkArity, checkInteger, type Millis } from './validate.js';

const MAX_PERMITS = 2 ** 31 - 1;

export class Semaphore extends Acquirable {
  declare readonly [kHandle]: Handle;

  /** @param value the initial number of permits (default 1). @throws RangeError when negative. */
  constructor(value = 1) {
    checkArity(arguments.length, 1, `new ${new.target.name}()`);
    checkInteger(value, 'value', 0, MAX_PERMITS);
    super();
    Object.defineProperty(this, kHandle, { value: backend.semNew(value, new.target === BoundedSemaphore ? value : -1) });
    track(this);
  }

  protected tryAcquire(): boolean {
    return backend.semAcquire(handleOf(this, Semaphore), 0);
  }

  protected acquireWaiting(timeout: Millis): boolean {
    return backend.semAcquire(handleOf(this, Semaphore), timeout);
  }

  protected releaseSignal(): Handle {
    return handleOf(this, Semaphore);
  }

  /**
   * Gives back `n` permits (default 1), waking up to `n` waiters.
   * @throws RangeError for a bounded semaphore released more times than acquired.
   */
  release(n = 1): void {
    checkArity(arguments.length, 1, 'release');
    checkInteger(n, 'n', 1, MAX_PERMITS);
    if (!backend.semRelease(handleOf(this, Semaphore), n)) {
      throw new RangeError('Semaphore released too many times');
    }
  }

  /** Crosses threads as the class it is. */
  get [kTransit](): Transit {
    return { tag: this instanceof BoundedSemaphore ? 'BoundedSemaphore' : 'Semaphore' };
  }
}

/** A Semaphore that refuses (RangeError) a release above its initial value. */
export class BoundedSemaphore extends Semaphore {}

brand(Semaphore);

registerKind('semaphore', (h, tag) => {
  const semaphore = Object.create((tag === 'BoundedSemaphore' ? BoundedSemaphore : Semaphore).prototype) as Semaphore;
  Object.defineProperty(semaphore, kHandle, { value: h });
  return semaphore;
});
