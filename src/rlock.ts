/**
 * RLock: Python's `threading.RLock`, a lock its owner may take again (each take
 * needs its own release). The owner is the logical thread (its record handle),
 * so an async acquire from the main thread is owned by the main thread.
 */
import { backend } from './backend/select.js';
import { RlockRelease, ThreadState, type Handle, type RLockWords } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable, type AcquireOptions } from './guard.js';
import { brand, handleOf, kHandle, registerKind, track } from './handles.js';
import { currentRecord } from './thread.js';
import { blocking } from './output.js';
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

// With the RLock's words (backend rlockWords), an uncontended acquire, a
// re-entry and a release that wakes nobody take no backend call (a native call
// costs ~200 ns, the whole step ~20 ns), as for Lock.
const kRWords = Symbol('native-threads.rlockWords');

function attach(lock: RLock, h: Handle): void {
  Object.defineProperty(lock, kHandle, { value: h });
  Object.defineProperty(lock, kRWords, { value: backend.rlockWords(h) });
}

export class RLock extends Acquirable {
  declare readonly [kHandle]: Handle;
  declare readonly [kRWords]: RLockWords | undefined;

  constructor() {
    checkArity(arguments.length, 0, 'new RLock()');
    super();
    attach(this, backend.rlockNew());
    track(this);
  }

  // Only own properties set by attach() carry kRWords, so a call on any other
  // receiver skips the fast path and meets the checks of the general one.
  override acquire(options?: AcquireOptions): boolean {
    const words = this[kRWords];
    if (arguments.length === 0 && words !== undefined && words.acquire(currentRecord())) return true;
    return super.acquire(...(arguments as unknown as [AcquireOptions?]));
  }

  /** Taken, or taken once more when the calling thread owns it already. */
  protected tryAcquire(): boolean {
    const words = this[kRWords];
    if (words !== undefined) return words.acquire(currentRecord());
    return backend.rlockAcquire(handleOf(this, RLock), currentRecord(), 0);
  }

  protected override prepareWatch(): boolean {
    return backend.rlockMarkWaiting(handleOf(this, RLock));
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
    const words = this[kRWords];
    if (arguments.length === 0 && words !== undefined && words.release(currentRecord())) return;
    checkArity(arguments.length, 0, 'release');
    if (backend.rlockRelease(handleOf(this, RLock), currentRecord()) === RlockRelease.NotOwner) {
      throw new ThreadError('cannot release un-acquired lock');
    }
  }

  /** True when some thread owns it. */
  locked(): boolean {
    const words = this[kRWords];
    if (words !== undefined) return words.locked();
    return backend.rlockLocked(handleOf(this, RLock));
  }
}

brand(RLock);

// Condition's use of an RLock (CPython's `_is_owned`, `_release_save` and
// `_acquire_restore`), through its words where it has them.

/** Reads of a held RLock's word before rlockRestore parks (as Lock's SPIN). */
const RESTORE_SPIN = 100;

/** Whether the calling thread holds `lock`. */
export function rlockOwned(lock: RLock): boolean {
  const words = lock[kRWords];
  const me = currentRecord();
  return words !== undefined ? words.owns(me) : backend.rlockIsOwned(lock[kHandle], me);
}

/** Lets go of every level the calling thread holds; returns how many, for rlockRestore. */
export function rlockReleaseSave(lock: RLock): number {
  const me = currentRecord();
  const levels = lock[kRWords]?.releaseAll(me) ?? -1;
  return levels >= 0 ? levels : backend.rlockReleaseAll(lock[kHandle], me);
}

/**
 * Takes `levels` levels back, blocking. Spins on the words first, as a blocking
 * acquire does: the notifier that woke this thread usually lets go of the lock
 * within a microsecond, and the backend's wait parks at once.
 */
export function rlockRestore(lock: RLock, levels: number): void {
  const words = lock[kRWords];
  const me = currentRecord();
  if (words !== undefined) {
    for (let spin = 0; spin <= RESTORE_SPIN; spin++) {
      if (!words.locked() && words.acquireCount(me, levels)) return;
    }
  }
  blocking(() => backend.rlockAcquireCount(lock[kHandle], me, levels, FOREVER));
}

registerKind('rlock', (h) => {
  const lock = Object.create(RLock.prototype) as RLock;
  attach(lock, h);
  return lock;
});
