/**
 * RLock: Python's `threading.RLock`, a lock its owner may take again (each take
 * needs its own release). The owner is the logical thread (its record handle),
 * so an async acquire from the main thread is owned by the main thread.
 */
import { backend } from './backend/select.js';
import { RlockRelease, ThreadState, type Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable } from './guard.js';
import { brand, handleOf, kHandle, registerKind, track } from './handles.js';
import { currentRecord } from './thread.js';
import { checkArity, FOREVER, type Millis } from './validate.js';

/** How often a blocked acquire looks at whether the owner's thread still runs. */
export const DEAD_OWNER_CHECK_MS = 100;

/** @throws ThreadError when the RLock `h` is held by a thread that has ended. */
export function checkOwnerAlive(h: Handle): void {
  const owner = backend.rlockOwner(h);
  if (owner === 0) return;
  const alive = backend.kindOf(owner) === 'thread' && backend.threadState(owner) === ThreadState.Running;
  if (alive) return;
  const name = backend.kindOf(owner) === 'thread' ? `'${backend.threadName(owner)}' (ident ${owner})` : `ident ${owner}`;
  throw new ThreadError(`RLock is held by thread ${name}, which ended without releasing it`);
}

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
    return backend.rlockAcquire(handleOf(this, RLock), currentRecord(), 0);
  }

  /**
   * Waits in slices so that an owner whose thread ended without releasing
   * (returned, threw past a bare acquire, or its isolate died) is noticed: the
   * waiter gets a ThreadError naming it instead of waiting for ever (a robust
   * mutex's rule; the lock stays held by the dead owner).
   */
  protected acquireWaiting(timeout: Millis): boolean {
    const h = handleOf(this, RLock);
    const me = currentRecord();
    const deadline = timeout === FOREVER ? Infinity : performance.now() + timeout;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      if (backend.rlockAcquire(h, me, Math.min(left, DEAD_OWNER_CHECK_MS))) return true;
      checkOwnerAlive(h);
    }
  }

  protected releaseSignal(): Handle {
    return handleOf(this, RLock);
  }

  protected override checkHolder(): void {
    checkOwnerAlive(handleOf(this, RLock));
  }

  protected override ownerCheckMs(): number {
    return DEAD_OWNER_CHECK_MS;
  }

  /** Releases one level. @throws ThreadError when the calling thread does not own it. */
  release(): void {
    checkArity(arguments, 0, 'release');
    if (backend.rlockRelease(handleOf(this, RLock), currentRecord()) === RlockRelease.NotOwner) {
      throw new ThreadError('cannot release un-acquired lock');
    }
  }

  /** True when some thread owns it. */
  locked(): boolean {
    return backend.rlockLocked(handleOf(this, RLock));
  }
}

brand(RLock);

registerKind('rlock', (h) => {
  const lock = Object.create(RLock.prototype) as RLock;
  Object.defineProperty(lock, kHandle, { value: h });
  return lock;
});
