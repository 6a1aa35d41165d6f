/**
 * Epochs, blocking waits, watches and interruption: how a thread (or an event
 * loop) learns that a shared object changed.
 *
 * Every object starts with the same two words:
 *
 * | offset | name    | meaning                                                             |
 * |--------|---------|---------------------------------------------------------------------|
 * | 0      | EPOCH   | u32 change counter (wrapping); waiters Atomics.wait on this word     |
 * | 4      | WAITERS | threads blocked in a wait on EPOCH, plus pending watches on it       |
 *
 * (Lock, RLock and Event keep a state bit inside EPOCH: lock.ts, rlock.ts, event.ts.)
 *
 * The wait protocol, used by every blocking call (lock.ts, rlock.ts, queue.ts,
 * thread.ts, condition.ts, semaphore.ts, event.ts, barrier.ts) through one helper,
 * `waitUntil` (the crate's `park::wait_until`):
 *
 *   WAITERS += 1
 *   loop: seen = EPOCH; if the operation can proceed, do it and stop; if
 *         interrupted throw; if the deadline passed, fail;
 *         Atomics.wait(EPOCH, seen, remaining)
 *   WAITERS -= 1 (on every way out, throws included)
 *
 * and by every change: make the change, EPOCH += 1, and if WAITERS ≠ 0 notify
 * EPOCH. Because the waiter reads EPOCH before it checks the state (all SeqCst), a
 * change it did not see moves EPOCH after that read, so its Atomics.wait returns at
 * once ("not-equal") or is notified: no wakeup is lost. Skipping the notify when
 * WAITERS is 0 is safe for the same reason (a waiter counts itself before it reads
 * EPOCH). The deadline is computed once from the monotonic clock; each wait uses
 * what is left of it. Wakeups may be spurious: every waiter loops.
 *
 * Watches (the async twins) count in WAITERS as well and wait with
 * Atomics.waitAsync on EPOCH. `unwatch` notifies the word so that V8 drops the
 * cancelled waiter instead of keeping it until the next change; any other watch
 * woken by that notify sees EPOCH unchanged and waits again without calling back.
 *
 * interruptAll sets INTERRUPTED in the arena header, wakes the sleepers (they wait
 * on that word), then adds 2 to every live object's EPOCH and notifies it. Adding
 * (rather than only notifying) reaches a waiter that read EPOCH and checked the
 * flag just before the flag was set; 2 keeps a Lock's (RLock's, Event's) bit 0
 * as it was.
 */
import { type Arena, INTERRUPTED } from './arena.js';
import { forEachLive, resolveAny } from './registry.js';

export const EPOCH = 0;
export const WAITERS = 1;

/** After a change to the object whose header is at i32 index `o`. */
export function bump(i32: Int32Array, o: number): void {
  Atomics.add(i32, o + EPOCH, 1);
  if (Atomics.load(i32, o + WAITERS) !== 0) Atomics.notify(i32, o + EPOCH);
}

export function isInterrupted(i32: Int32Array): boolean {
  return Atomics.load(i32, INTERRUPTED) !== 0;
}

export function interruptedError(): Error {
  return new Error('interrupted: native-threads is shutting down (interruptAll)');
}

/** performance.now() deadline of a wait of `timeoutMs` (-1 = forever). */
export function deadlineOf(timeoutMs: number): number {
  return timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
}

/**
 * Sleep on word `idx` while it still holds `seen`, until `deadline`. False (without
 * waiting) once the deadline has passed; true after a wakeup of any kind.
 */
export function waitWord(i32: Int32Array, idx: number, seen: number, deadline: number): boolean {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return false;
  Atomics.wait(i32, idx, seen, remaining);
  return true;
}

/**
 * The wait protocol (above) for the object whose header is at i32 index `o`: ask
 * `attempt` (given the EPOCH it was read after) until it answers anything but
 * undefined (0 is an answer: some statuses are 0), sleeping on EPOCH between
 * turns; undefined once `timeoutMs` has passed (-1 = forever).
 * Throws the interrupted error after interruptAll, and whatever `attempt` throws.
 *
 * `attempt` runs before the interrupt check, so that a wait whose condition holds
 * ends well even at shutdown (a notified Condition waiter takes its notification,
 * a finished thread is seen done). An attempt that must not run once interrupted
 * (it changes shared state, or would take interruptAll's EPOCH move for a change)
 * checks `isInterrupted` itself first.
 *
 * `i32` is any view covering the header: views of the growable buffer are never
 * invalidated, only short, so it need not be re-read while waiting; an attempt
 * that touches other memory reloads `a.i32` itself (arena.ts).
 *
 * Callers try once without it first: this is the slow path, and it allocates the
 * attempt's closure.
 */
export function waitUntil<T>(
  i32: Int32Array,
  o: number,
  timeoutMs: number,
  attempt: (seen: number) => T | undefined,
): T | undefined {
  const deadline = deadlineOf(timeoutMs);
  Atomics.add(i32, o + WAITERS, 1);
  try {
    for (;;) {
      const seen = Atomics.load(i32, o + EPOCH);
      const r = attempt(seen);
      if (r !== undefined) return r;
      if (isInterrupted(i32)) throw interruptedError();
      if (!waitWord(i32, o + EPOCH, seen, deadline)) return undefined;
    }
  } finally {
    Atomics.sub(i32, o + WAITERS, 1);
  }
}

export function epoch(a: Arena, h: number): number {
  const o = resolveAny(a, h) >> 2;
  return Atomics.load(a.i32, o + EPOCH) >>> 0;
}

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as {
  waitAsync(ta: Int32Array, index: number, value: number): WaitAsyncResult;
}).waitAsync;

interface Watch {
  readonly i32: Int32Array;
  /** i32 index of the watched EPOCH word. */
  readonly idx: number;
  readonly seen: number;
  readonly onChange: () => void;
}

/** Pending watches of this isolate; an id is removed when it fires or is cancelled. */
const watches = new Map<number, Watch>();
let nextWatchId = 1;

export function watch(a: Arena, h: number, seen: number, onChange: () => void): number {
  const idx = (resolveAny(a, h) >> 2) + EPOCH;
  const i32 = a.i32;
  const w: Watch = { i32, idx, seen: seen | 0, onChange };
  Atomics.add(i32, idx + 1, 1); // WAITERS, before the value check of waitAsync
  const r = waitAsync(i32, idx, w.seen);
  if (!r.async) {
    Atomics.sub(i32, idx + 1, 1);
    return 0;
  }
  const id = nextWatchId++;
  watches.set(id, w);
  void r.value.then(() => woken(id, w));
  return id;
}

function woken(id: number, w: Watch): void {
  if (watches.get(id) !== w) return; // cancelled; unwatch already uncounted it
  if (Atomics.load(w.i32, w.idx) === w.seen) {
    // Woken by an unwatch of another watch on this word: nothing changed.
    const r = waitAsync(w.i32, w.idx, w.seen);
    if (r.async) {
      void r.value.then(() => woken(id, w));
      return;
    }
  }
  watches.delete(id);
  Atomics.sub(w.i32, w.idx + 1, 1);
  w.onChange();
}

export function unwatch(id: number): void {
  const w = watches.get(id);
  if (w === undefined) return;
  watches.delete(id);
  // Uncount now, not when V8 resolves the promise: the object may be freed by then.
  Atomics.sub(w.i32, w.idx + 1, 1);
  Atomics.notify(w.i32, w.idx);
}

export function interruptAll(a: Arena): void {
  Atomics.store(a.i32, INTERRUPTED, 1);
  Atomics.notify(a.i32, INTERRUPTED);
  forEachLive(a, (_h, _kind, off) => {
    Atomics.add(a.i32, (off >> 2) + EPOCH, 2);
    Atomics.notify(a.i32, (off >> 2) + EPOCH);
  });
}
