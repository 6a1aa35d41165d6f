/**
 * Semaphore and BoundedSemaphore: Python's `threading.Semaphore` (a counter of
 * permits; acquire takes one, blocking while there is none; release adds n) and
 * `BoundedSemaphore` (a release that would exceed the bound fails and changes
 * nothing).
 *
 * Layout:
 *
 * | offset | name    | meaning                                                       |
 * |--------|---------|---------------------------------------------------------------|
 * | 0      | EPOCH   | notify.ts; bumped by every successful release                 |
 * | 4      | WAITERS | notify.ts                                                     |
 * | 8      | VALUE   | permits available, 0 … 2^31 − 1                               |
 * | 12     | BOUND   | BoundedSemaphore's limit, -1 for a plain Semaphore; fixed      |
 *
 * No mutex: acquire is a CAS v → v − 1 from v > 0, release a CAS v → v + n that
 * checks the bound first, so a failed release never changed anything. Blocking
 * acquire is notify.ts's waitUntil (count in WAITERS, read EPOCH, try, wait on EPOCH);
 * release bumps EPOCH after its CAS and wakes every waiter, which re-try: as in
 * Python, a running thread can take a permit ahead of a woken one (not FIFO).
 *
 * Not done: VALUE is an i32, so a release that would pass 2^31 − 1 throws a
 * RangeError (Python's ints are unbounded).
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { bump, waitUntil, WAITERS } from './notify.js';
import { KIND_SEMAPHORE, register, resolve } from './registry.js';

const VALUE = 2;
const BOUND = 3;
const MAX_VALUE = 0x7fffffff;

export function semNew(a: Arena, value: number, bound: number): number {
  const off = a.alloc(OBJECT_BYTES);
  const o = off >> 2;
  const i32 = a.i32;
  i32[o] = 0;
  i32[o + WAITERS] = 0;
  i32[o + VALUE] = value;
  i32[o + BOUND] = bound;
  return register(a, KIND_SEMAPHORE, off);
}

/** One attempt: take a permit if there is one. */
function tryTake(i32: Int32Array, o: number, v: number): boolean {
  while (v > 0) {
    const w = Atomics.compareExchange(i32, o + VALUE, v, v - 1);
    if (w === v) return true;
    v = w;
  }
  return false;
}

export function semAcquire(a: Arena, h: number, timeoutMs: number): boolean {
  const o = resolve(a, h, KIND_SEMAPHORE) >> 2;
  const i32 = a.i32;
  // Plain first read, checked by the CAS; a 0 is confirmed atomically below.
  if (tryTake(i32, o, i32[o + VALUE])) return true;
  if (timeoutMs === 0) return tryTake(i32, o, Atomics.load(i32, o + VALUE));
  const took = waitUntil(i32, o, timeoutMs, () => (tryTake(i32, o, Atomics.load(i32, o + VALUE)) ? true : undefined));
  return took ?? false;
}

export function semRelease(a: Arena, h: number, n: number): boolean {
  const o = resolve(a, h, KIND_SEMAPHORE) >> 2;
  const i32 = a.i32;
  const bound = i32[o + BOUND];
  const limit = bound < 0 ? MAX_VALUE : bound;
  let v = i32[o + VALUE]; // plain first read, checked by the CAS
  for (;;) {
    if (v + n > limit) {
      // Maybe a stale plain read: only an atomic read may conclude "too many".
      const w = Atomics.load(i32, o + VALUE);
      if (w === v) {
        if (bound < 0) throw new RangeError('native-threads js backend: semaphore value above 2^31 - 1');
        return false;
      }
      v = w;
      continue;
    }
    const w = Atomics.compareExchange(i32, o + VALUE, v, v + n);
    if (w === v) break;
    v = w;
  }
  bump(i32, o);
  return true;
}

export function semValue(a: Arena, h: number): number {
  const o = resolve(a, h, KIND_SEMAPHORE) >> 2;
  return Atomics.load(a.i32, o + VALUE);
}
