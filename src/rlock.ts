/**
 * RLock: Python's `threading.RLock`, a lock its owner may take again (each take
 * needs its own release). The owner is the logical thread (its record handle),
 * so an async acquire from the main thread is owned by the main thread.
 */
import { backend } from './backend/select.js';
import { RlockRelease, type Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable } from './guard.js';
import { handleOf, kHandle, registerKind, track } from './handles.js';
import { currentRecord } from './thread.js';
import { checkArity, type Millis } from './validate.js';

export class RLock extends Acquirable {
  declare readonly [kHandle]: Handle;

  constructor() {
    checkArity(arguments, 0, 'new RLock()');
    super();
    Object.defineProperty(this, kHandle, { value: backend.rlockNew() });
    track(this);
  }

  /** Taken, or taken once more when the calling thread owns it already. */
  protected tryAcquire(): boolean {
    return backend.rlockAcquire(handleOf(this, 'RLock'), currentRecord(), 0);
  }

  protected acquireWaiting(timeout: Millis): boolean {
    return backend.rlockAcquire(handleOf(this, 'RLock'), currentRecord(), timeout);
  }

  protected releaseSignal(): Handle {
    return handleOf(this, 'RLock');
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
}

registerKind('rlock', (h) => {
  const lock = Object.create(RLock.prototype) as RLock;
  Object.defineProperty(lock, kHandle, { value: h });
  return lock;
});
