/**
 * Event: Python's `threading.Event`, a flag that threads wait to see set.
 *
 * Like a Lock (lock.ts), the flag lives in bit 0 of the epoch word, so set, clear
 * and the fast path of wait are one atomic operation each and set needs no
 * separate epoch bump:
 *
 * | offset | name    | meaning                                                 |
 * |--------|---------|---------------------------------------------------------|
 * | 0      | EPOCH   | state word (table below); waiters Atomics.wait on it    |
 * | 4      | WAITERS | blocked waiters plus pending watches (notify.ts)        |
 *
 * State word (as u32; wraps):
 *
 * | bit 0 | bits 1–31 | meaning                                                  |
 * |-------|-----------|----------------------------------------------------------|
 * | 0     | n         | clear                                                    |
 * | 1     | n         | set                                                      |
 *
 * set: CAS v → v + 1 from an even v, then notify every waiter. clear: CAS
 * v → v + 1 from an odd v (carrying into n), no notify: nobody waits for a clear,
 * and a watch that wakes later for another reason simply re-polls. So the word
 * only ever grows, and a waiter that saw it even and then sees any other value
 * knows a set happened, even if a clear followed before it woke: like CPython's
 * wait, which returns True when notified although the flag may be clear again.
 * interruptAll adds 2, which keeps bit 0 (and is told apart by the interrupt flag).
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { interruptedError, isInterrupted, waitUntil, WAITERS } from './notify.js';
import { KIND_EVENT, register, resolve } from './registry.js';
import type { WordRef } from '../types.js';

export function eventNew(a: Arena): number {
  const off = a.alloc(OBJECT_BYTES);
  a.i32[off >> 2] = 0;
  a.i32[(off >> 2) + WAITERS] = 0;
  return register(a, KIND_EVENT, off);
}

export function eventIsSet(a: Arena, h: number): boolean {
  const o = resolve(a, h, KIND_EVENT) >> 2;
  return (Atomics.load(a.i32, o) & 1) !== 0;
}

export function eventSet(a: Arena, h: number): void {
  wordSet(a.i32, resolve(a, h, KIND_EVENT) >> 2);
}

/** Sets through the word `o` of `i32` (the front end holds it from eventWord). */
export function wordSet(i32: Int32Array, o: number): void {
  let v = Atomics.load(i32, o);
  for (;;) {
    if ((v & 1) !== 0) return;
    const w = Atomics.compareExchange(i32, o, v, v + 1);
    if (w === v) break;
    v = w;
  }
  // Atomic so that it is ordered after the CAS (lock.ts, wordRelease).
  if (Atomics.load(i32, o + WAITERS) !== 0) Atomics.notify(i32, o);
}

export function eventClear(a: Arena, h: number): void {
  wordClear(a.i32, resolve(a, h, KIND_EVENT) >> 2);
}

/** Clears through the word `o` of `i32`. */
export function wordClear(i32: Int32Array, o: number): void {
  let v = Atomics.load(i32, o);
  for (;;) {
    if ((v & 1) === 0) return;
    const w = Atomics.compareExchange(i32, o, v, (v + 1) | 0);
    if (w === v) return;
    v = w;
  }
}

export function eventWait(a: Arena, h: number, timeoutMs: number): boolean {
  const o = resolve(a, h, KIND_EVENT) >> 2;
  const i32 = a.i32;
  // A plain read that says "set" is true of some moment (the set happened);
  // "clear" is confirmed atomically below.
  if ((i32[o] & 1) !== 0) return true;
  return waitSince(i32, o, Atomics.load(i32, o), timeoutMs);
}

/** The state word, for the front end's isSet and its spin before waiting. */
export function eventWord(a: Arena, h: number): WordRef {
  return { words: a.i32, index: resolve(a, h, KIND_EVENT) >> 2 };
}

/** eventWait, counting any set since the word was `v0` (read by the caller earlier). */
export function eventWaitSince(a: Arena, h: number, v0: number, timeoutMs: number): boolean {
  return waitSince(a.i32, resolve(a, h, KIND_EVENT) >> 2, v0, timeoutMs);
}

function waitSince(i32: Int32Array, o: number, v0: number, timeoutMs: number): boolean {
  if ((v0 & 1) !== 0) return true;
  if (timeoutMs === 0) return Atomics.load(i32, o) !== v0 && !isInterrupted(i32);
  const set = waitUntil(i32, o, timeoutMs, (v) => {
    // The flag first: interruptAll's +2 moves the word too. It sets the flag
    // before it adds, and `v` was read before this check, so a `v` it moved is
    // always seen with the flag set.
    if (isInterrupted(i32)) throw interruptedError();
    // Any other move away from the even v0 is a set; else it waits on v === v0.
    return v !== v0 ? true : undefined;
  });
  return set ?? false;
}
