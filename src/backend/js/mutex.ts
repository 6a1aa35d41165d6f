/**
 * The js backend's internal mutex: a three-state futex lock on one i32 word of the
 * arena (Ulrich Drepper, "Futexes Are Tricky", 2011, mutex #2), used for short
 * critical sections only (allocator, registry, one queue, one thread record).
 * It is not the user-visible Lock (lock.ts), which any thread may release and
 * whose waits honour timeouts and interruptAll().
 *
 * Word states:
 *
 * | value | meaning                                           |
 * |-------|---------------------------------------------------|
 * | 0     | unlocked                                          |
 * | 1     | locked, nobody waiting                            |
 * | 2     | locked, maybe waiters in Atomics.wait on the word |
 *
 * Lock: CAS 0→1 (the fast path); else spin briefly re-reading the word, then
 * exchange to 2 and Atomics.wait while the word is 2, exchanging to 2 again after
 * every wakeup (so a thread that got in while others sleep still leaves 2 behind
 * and its unlock wakes the next). Unlock: subtract 1; if the word was 2 (someone
 * may sleep) store 0 and wake one waiter. An unlock that finds 1 costs one atomic
 * subtraction and no notify.
 *
 * Not interruptible and untimed: holders never block while holding it, so waits
 * last as long as a few loads and stores elsewhere.
 */

/** Spins before sleeping: on two cores, a holder on the other core is likely out within this many loads. */
const SPIN = 64;

export function mutexLock(i32: Int32Array, idx: number): void {
  if (Atomics.compareExchange(i32, idx, 0, 1) !== 0) mutexLockSlow(i32, idx);
}

function mutexLockSlow(i32: Int32Array, idx: number): void {
  for (let i = 0; i < SPIN; i++) {
    if (Atomics.load(i32, idx) === 0 && Atomics.compareExchange(i32, idx, 0, 1) === 0) return;
  }
  let c = Atomics.exchange(i32, idx, 2);
  while (c !== 0) {
    Atomics.wait(i32, idx, 2);
    c = Atomics.exchange(i32, idx, 2);
  }
}

export function mutexUnlock(i32: Int32Array, idx: number): void {
  if (Atomics.sub(i32, idx, 1) !== 1) {
    Atomics.store(i32, idx, 0);
    Atomics.notify(i32, idx, 1);
  }
}
