/**
 * RLock: Python's `threading.RLock`, a re-entrant lock owned by one logical
 * thread, over the Lock's state word (lock.ts) plus an owner and a count, the way
 * parking_lot's RawReentrantMutex wraps a raw mutex.
 *
 * The owner is the caller's thread record handle, passed in from JS (never an OS
 * thread id: an async twin may run anywhere). Handles of live records are unique
 * and never 0, so 0 means "nobody".
 *
 * Layout:
 *
 * | offset | name    | meaning                                                        |
 * |--------|---------|----------------------------------------------------------------|
 * | 0      | EPOCH   | Lock state word (lock.ts table): bit 0 locked, bits 1–31 epoch  |
 * | 4      | WAITERS | blocked acquirers plus pending watches (notify.ts)              |
 * | 8      | OWNER   | owner's thread record handle while locked, 0 while free         |
 * | 12     | COUNT   | recursion depth while locked, 0 while free                      |
 *
 * OWNER and COUNT are written only by the thread holding the word, with plain
 * stores: after acquiring it (the CAS orders them after any earlier holder's
 * writes) and before releasing it (the release CAS publishes them). So the
 * re-entry test `OWNER === owner` is a plain load: only this thread ever stores
 * its own handle there, and it clears it itself before releasing, so program
 * order guarantees it never sees its handle stale. Other threads' readers
 * (rlockIsOwned with a different owner) can only ever see "not theirs".
 *
 * Epoch: the word moves on acquire and on every release that frees it (as for
 * Lock); releases of inner levels touch only COUNT and move nothing. interruptAll
 * adds 2, which keeps bit 0.
 *
 * Not done: no owner check against the thread record's liveness (a thread that
 * ends holding an RLock leaves it held, as in Python).
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { RlockRelease, type Handle, type RLockWords } from '../types.js';
import { wordAcquire, wordRelease } from './lock.js';
import { WAITERS } from './notify.js';
import { KIND_RLOCK, register, resolve } from './registry.js';

const OWNER = 2;
const COUNT = 3;

export function rlockNew(a: Arena): number {
  const off = a.alloc(OBJECT_BYTES);
  const o = off >> 2;
  const i32 = a.i32;
  i32[o] = 0;
  i32[o + WAITERS] = 0;
  i32[o + OWNER] = 0;
  i32[o + COUNT] = 0;
  return register(a, KIND_RLOCK, off);
}

export function rlockAcquire(a: Arena, h: number, owner: number, timeoutMs: number): boolean {
  return acquireAt(a.i32, resolve(a, h, KIND_RLOCK) >> 2, owner, timeoutMs);
}

function acquireAt(i32: Int32Array, o: number, owner: number, timeoutMs: number): boolean {
  if (i32[o + OWNER] === owner) {
    i32[o + COUNT]++;
    return true;
  }
  if (!wordAcquire(i32, o, timeoutMs)) return false;
  i32[o + OWNER] = owner;
  i32[o + COUNT] = 1;
  return true;
}

export function rlockRelease(a: Arena, h: number, owner: number): RlockRelease {
  return releaseAt(a.i32, resolve(a, h, KIND_RLOCK) >> 2, owner);
}

function releaseAt(i32: Int32Array, o: number, owner: number): RlockRelease {
  if (i32[o + OWNER] !== owner) return RlockRelease.NotOwner;
  const count = i32[o + COUNT] - 1;
  if (count > 0) {
    i32[o + COUNT] = count;
    return RlockRelease.Ok;
  }
  i32[o + COUNT] = 0;
  i32[o + OWNER] = 0;
  wordRelease(i32, o);
  return RlockRelease.Ok;
}

/**
 * The front end's fast paths (RLockWords) over the record's words: every step
 * here is the backend's own (acquire with no wait, release, and Condition.wait's
 * release of every level and restore), which needs no other call, so only a
 * non-owner's releases are left to the backend calls (to report).
 */
class JsRLockWords implements RLockWords {
  constructor(
    private readonly i32: Int32Array,
    private readonly o: number,
  ) {}

  acquire(owner: Handle): boolean {
    return acquireAt(this.i32, this.o, owner, 0);
  }

  release(owner: Handle): boolean {
    return releaseAt(this.i32, this.o, owner) === RlockRelease.Ok;
  }

  owns(owner: Handle): boolean {
    return Atomics.load(this.i32, this.o + OWNER) === owner;
  }

  releaseAll(owner: Handle): number {
    const levels = releaseAllAt(this.i32, this.o, owner);
    return levels > 0 ? levels : -1;
  }

  acquireCount(owner: Handle, count: number): boolean {
    return acquireCountAt(this.i32, this.o, owner, count, 0);
  }

  locked(): boolean {
    return (Atomics.load(this.i32, this.o) & 1) !== 0;
  }
}

export function rlockWords(a: Arena, h: number): RLockWords {
  return new JsRLockWords(a.i32, resolve(a, h, KIND_RLOCK) >> 2);
}

export function rlockLocked(a: Arena, h: number): boolean {
  const o = resolve(a, h, KIND_RLOCK) >> 2;
  return (Atomics.load(a.i32, o) & 1) !== 0;
}

export function rlockOwner(a: Arena, h: number): number {
  const o = resolve(a, h, KIND_RLOCK) >> 2;
  return Atomics.load(a.i32, o + OWNER);
}

export function rlockIsOwned(a: Arena, h: number, owner: number): boolean {
  const o = resolve(a, h, KIND_RLOCK) >> 2;
  return Atomics.load(a.i32, o + OWNER) === owner;
}

export function rlockReleaseAll(a: Arena, h: number, owner: number): number {
  return releaseAllAt(a.i32, resolve(a, h, KIND_RLOCK) >> 2, owner);
}

function releaseAllAt(i32: Int32Array, o: number, owner: number): number {
  if (i32[o + OWNER] !== owner) return 0;
  const count = i32[o + COUNT];
  i32[o + COUNT] = 0;
  i32[o + OWNER] = 0;
  wordRelease(i32, o);
  return count;
}

/**
 * Condition.wait's restore. The owner gave up every level before waiting, so it
 * normally acquires the word and sets the count; should it hold the lock again
 * already (it re-acquired in between), the levels add up, as re-entry would.
 */
export function rlockAcquireCount(a: Arena, h: number, owner: number, count: number, timeoutMs: number): boolean {
  return acquireCountAt(a.i32, resolve(a, h, KIND_RLOCK) >> 2, owner, count, timeoutMs);
}

function acquireCountAt(i32: Int32Array, o: number, owner: number, count: number, timeoutMs: number): boolean {
  if (i32[o + OWNER] === owner) {
    i32[o + COUNT] += count;
    return true;
  }
  if (!wordAcquire(i32, o, timeoutMs)) return false;
  i32[o + OWNER] = owner;
  i32[o + COUNT] = count;
  return true;
}
