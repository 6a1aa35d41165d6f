/**
 * Lock: Python's `threading.Lock`, a mutex that any thread may release, with
 * timed acquire and interruption.
 *
 * The lock's state shares one word with its epoch, so that both acquire and
 * release are a single compare-exchange and release needs no separate epoch bump:
 *
 * | offset | name    | meaning                                                   |
 * |--------|---------|-----------------------------------------------------------|
 * | 0      | EPOCH   | state word (table below); waiters Atomics.wait on it      |
 * | 4      | WAITERS | blocked acquirers plus pending watches (notify.ts)        |
 *
 * State word (as u32; wraps):
 *
 * | bit 0 | bits 1–31 | meaning                                                   |
 * |-------|-----------|-----------------------------------------------------------|
 * | 0     | n         | unlocked                                                  |
 * | 1     | n         | locked                                                    |
 *
 * Acquire: CAS v → v + 1 from an even v (n unchanged, bit 0 set). Release: CAS
 * v → v + 1 from an odd v (bit 0 clears and carries into n), so every release
 * moves the word to a value no earlier reader saw while it was locked: it is the
 * epoch the contract asks for (acquires move it too, which only makes some
 * watches fire early; they retry). interruptAll adds 2, which keeps bit 0.
 *
 * Blocking acquire is notify.ts's waitUntil on this word: each turn reads the
 * word, tries the CAS while it is even, else Atomics.waits on the odd value seen.
 * Release notifies every waiter, not one, when WAITERS ≠ 0: a woken watch can be
 * abandoned (its async twin aborted or timed out) without retrying, and a
 * one-waiter notify spent on it would leave the other waiters asleep on a free
 * lock. Acquisition is not fair: a running thread can barge ahead of woken ones.
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { waitUntil, WAITERS } from './notify.js';
import { KIND_LOCK, register, resolve } from './registry.js';
import type { WordRef } from '../types.js';

export function lockNew(a: Arena): number {
  const off = a.alloc(OBJECT_BYTES);
  a.i32[off >> 2] = 0;
  a.i32[(off >> 2) + WAITERS] = 0;
  return register(a, KIND_LOCK, off);
}

export function lockAcquire(a: Arena, h: number, timeoutMs: number): boolean {
  const o = resolve(a, h, KIND_LOCK) >> 2;
  return wordAcquire(a.i32, o, timeoutMs);
}

/**
 * Acquire the lock word at i32 index `o` (the object's EPOCH, WAITERS after it);
 * shared with rlock.ts, whose RLock is this word plus an owner and a count.
 */
export function wordAcquire(i32: Int32Array, o: number, timeoutMs: number): boolean {
  // The first read is plain (Atomics.load costs ~15 ns on Node 20); the CAS checks it.
  if (tryAcquire(i32, o, i32[o])) return true;
  return timeoutMs === 0 ? false : acquireSlow(i32, o, timeoutMs);
}

/** One attempt from the word value `v`: CAS it locked, retrying while it stays unlocked. */
function tryAcquire(i32: Int32Array, o: number, v: number): boolean {
  for (;;) {
    if ((v & 1) !== 0) return false;
    const w = Atomics.compareExchange(i32, o, v, v + 1);
    if (w === v) return true;
    v = w;
  }
}

function acquireSlow(i32: Int32Array, o: number, timeoutMs: number): boolean {
  // The lock word is the EPOCH word: `v` is the state the attempt starts from.
  return waitUntil(i32, o, timeoutMs, (v) => (tryAcquire(i32, o, v) ? true : undefined)) ?? false;
}

export function lockRelease(a: Arena, h: number): boolean {
  const o = resolve(a, h, KIND_LOCK) >> 2;
  return wordRelease(a.i32, o);
}

/** Release the lock word at i32 index `o`; false (and no change) when it was not locked. */
export function wordRelease(i32: Int32Array, o: number): boolean {
  let v = i32[o]; // plain first read, checked by the CAS
  for (;;) {
    if ((v & 1) === 0) {
      // Maybe a stale plain read: only an atomic read may conclude "unlocked".
      const w = Atomics.load(i32, o);
      if (w === v) return false;
      v = w;
      continue;
    }
    const w = Atomics.compareExchange(i32, o, v, (v + 1) | 0);
    if (w === v) break;
    v = w;
  }
  // Atomic (not plain) so that it cannot be ordered before the CAS: a waiter
  // counts itself before reading the word, so it is either seen here or sees the
  // release (notify.ts).
  if (Atomics.load(i32, o + WAITERS) !== 0) Atomics.notify(i32, o);
  return true;
}

/** The state word, for the front end's fast paths (wordAcquire with timeout 0, wordRelease). */
export function lockWord(a: Arena, h: number): WordRef {
  const o = resolve(a, h, KIND_LOCK) >> 2;
  return { words: a.i32, index: o };
}

export function lockLocked(a: Arena, h: number): boolean {
  const o = resolve(a, h, KIND_LOCK) >> 2;
  return (Atomics.load(a.i32, o) & 1) !== 0;
}
