/**
 * Lock: Python's `threading.Lock`. A real mutex shared by every thread; any
 * thread may release it (it has no owner), as in Python.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable } from './guard.js';
import { brand, handleOf, kHandle, registerKind, track } from './handles.js';
import { checkArity, type Millis } from './validate.js';

export type { AcquireOptions } from './guard.js';

export class Lock extends Acquirable {
  declare readonly [kHandle]: Handle;

  constructor() {
    checkArity(arguments, 0, 'new Lock()');
    super();
    Object.defineProperty(this, kHandle, { value: backend.lockNew() });
    track(this);
  }

  protected tryAcquire(): boolean {
    return backend.lockAcquire(handleOf(this, Lock), 0);
  }

  protected acquireWaiting(timeout: Millis): boolean {
    return backend.lockAcquire(handleOf(this, Lock), timeout);
  }

  protected releaseSignal(): Handle {
    return handleOf(this, Lock);
  }

  /** Frees the lock; any thread may. Throws ThreadError when it is not locked. */
  release(): void {
    checkArity(arguments, 0, 'release');
    if (!backend.lockRelease(handleOf(this, Lock))) throw new ThreadError('release unlocked lock');
  }

  locked(): boolean {
    return backend.lockLocked(handleOf(this, Lock));
  }

  get [Symbol.toStringTag](): string {
    return this.locked() ? 'Lock locked' : 'Lock unlocked';
  }
}

brand(Lock);

registerKind('lock', (h) => {
  const lock = Object.create(Lock.prototype) as Lock;
  Object.defineProperty(lock, kHandle, { value: h });
  return lock;
});
