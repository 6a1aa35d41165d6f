/**
 * Barrier: Python's `threading.Barrier`, CPython's four-state machine
 * (Lib/threading.py, Barrier._enter/_release/_wait/_exit/reset/abort), with
 * Python's single `wait` split in two so that an async twin can poll and be
 * cancelled: barrierArrive is `_enter` plus counting in (and `_release` for the
 * last arrival); barrierWait is `_wait` plus the `finally` of Barrier.wait
 * (count − 1, `_exit`). The action callable is the front end's business.
 *
 * Each arrival is a node (ticket.ts) in the barrier's FIFO list while it waits, so
 * that barrierCancel can take back an arrival "as if it never arrived": indices
 * are handed out at release, in list order, so the arrivals after a cancelled one
 * move up. The last arrival walks the list writing each node's index, empties it
 * and moves to DRAINING; each arrival then leaves (barrierWait or barrierCancel),
 * and the one that brings COUNT to 0 moves the barrier back to FILLING, letting
 * the next round's arrivals in (they wait in barrierArrive meanwhile).
 *
 * Layout:
 *
 * | offset | name    | meaning                                                       |
 * |--------|---------|---------------------------------------------------------------|
 * | 0      | EPOCH   | notify.ts; bumped on release, break, abort, reset, and when   |
 * |        |         | the last leaver moves DRAINING/RESETTING back to FILLING      |
 * | 4      | WAITERS | notify.ts                                                     |
 * | 8      | MUTEX   | futex mutex word (mutex.ts) guarding everything below         |
 * | 12     | PARTIES | fixed at creation, ≥ 1                                        |
 * | 16     | COUNT   | arrivals that have not left yet (Python's _count)             |
 * | 20     | STATE   | table below (Python's _state)                                 |
 * | 24     | HEAD    | oldest waiting arrival's node, 0 = none                       |
 * | 28     | TAIL    | newest waiting arrival's node, 0 = none                       |
 * | 32     | SERIAL  | serial of the last ticket issued (ticket.ts)                  |
 *
 * STATE (as in CPython):
 *
 * | value | name      | meaning                                                     |
 * |-------|-----------|-------------------------------------------------------------|
 * | 0     | FILLING   | arrivals come in; COUNT = nodes in the list                 |
 * | 1     | DRAINING  | released; arrivals wait until COUNT returns to 0            |
 * | -1    | RESETTING | reset while some were in; broken for them, then FILLING     |
 * | -2    | BROKEN    | arrive and wait fail until a reset                          |
 *
 * Node STATE (ticket.ts layout):
 *
 * | value | meaning                                                               |
 * |-------|-----------------------------------------------------------------------|
 * | -1    | WAITING: in the list, not released                                    |
 * | -2    | DETACHED: taken off the list by a break or reset; its wait is Broken  |
 * | ≥ 0   | released with this index                                              |
 *
 * One difference from CPython, on purpose: an arrival already released returns
 * its index even if the barrier breaks before it wakes (CPython's `_wait` would
 * raise BrokenBarrierError then); it had passed the barrier.
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { BarrierStatus } from '../types.js';
import { mutexLock, mutexUnlock } from './mutex.js';
import { bump, interruptedError, isInterrupted, waitUntil } from './notify.js';
import { KIND_BARRIER, register, resolve, setDestroyer } from './registry.js';
import {
  detachAll,
  linkTail,
  N_NEXT,
  N_SERIAL,
  N_STATE,
  NODE_BYTES,
  nextSerial,
  nodeFree,
  nodeNew,
  nodeOf,
  ticketOf,
  unlink,
} from './ticket.js';

const MUTEX = 2;
const PARTIES = 3;
const COUNT = 4;
const STATE = 5;
const HEAD = 6;
const SERIAL = 8;

const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

const WAITING = -1;
const DETACHED = -2;

const releasedIndex = (k: number): number => k;
const detached = (): number => DETACHED;

export function barrierNew(a: Arena, parties: number): number {
  const off = a.alloc(OBJECT_BYTES);
  a.i32.fill(0, off >> 2, (off + OBJECT_BYTES) >> 2);
  a.i32[(off >> 2) + PARTIES] = parties;
  return register(a, KIND_BARRIER, off);
}

export function barrierParties(a: Arena, h: number): number {
  const b = resolve(a, h, KIND_BARRIER) >> 2;
  return a.i32[b + PARTIES];
}

export function barrierNWaiting(a: Arena, h: number): number {
  const b = resolve(a, h, KIND_BARRIER) >> 2;
  const i32 = a.i32;
  mutexLock(i32, b + MUTEX);
  const n = i32[b + STATE] === FILLING ? i32[b + COUNT] : 0;
  mutexUnlock(i32, b + MUTEX);
  return n;
}

export function barrierBroken(a: Arena, h: number): boolean {
  const b = resolve(a, h, KIND_BARRIER) >> 2;
  return Atomics.load(a.i32, b + STATE) === BROKEN;
}

/** Python's _break, under MUTEX. */
function breakLocked(a: Arena, b: number): void {
  a.i32[b + STATE] = BROKEN;
  detachAll(a, b + HEAD, detached);
}

/** Python's `_count -= 1; _exit()`, under MUTEX; true when the state went back to FILLING. */
function leaveLocked(i32: Int32Array, b: number): boolean {
  const count = --i32[b + COUNT];
  const state = i32[b + STATE];
  if (count === 0 && (state === DRAINING || state === RESETTING)) {
    i32[b + STATE] = FILLING;
    return true;
  }
  return false;
}

/** Set by settleLocked/cancel: the last call moved the state, so EPOCH must move. */
let moved = false;

/**
 * Under MUTEX: the arrival's outcome if it has one (its index, or Broken), having
 * left the barrier; Waiting (and no change) while it still waits in FILLING.
 */
function settleLocked(a: Arena, b: number, node: number): number {
  const i32 = a.i32;
  const s = i32[(node >> 2) + N_STATE];
  if (s >= 0) {
    moved = leaveLocked(i32, b);
    return s;
  }
  if (s === WAITING) {
    if (i32[b + STATE] === FILLING) return BarrierStatus.Waiting;
    unlink(a, b + HEAD, node); // not reached: leaving FILLING detaches or releases every node
  }
  moved = leaveLocked(a.i32, b);
  return BarrierStatus.Broken;
}

/** One attempt at Python's _enter and counting in: a ticket, Broken, or Waiting (draining or resetting). */
function tryArrive(a: Arena, b: number, node: number): number {
  let i32 = a.i32;
  mutexLock(i32, b + MUTEX);
  const state = i32[b + STATE];
  if (state !== FILLING) {
    mutexUnlock(i32, b + MUTEX);
    return state === BROKEN ? BarrierStatus.Broken : BarrierStatus.Waiting;
  }
  const serial = nextSerial(i32, b + SERIAL);
  i32[(node >> 2) + N_SERIAL] = serial;
  i32[(node >> 2) + N_STATE] = WAITING;
  linkTail(a, b + HEAD, node);
  i32 = a.i32;
  const released = ++i32[b + COUNT] === i32[b + PARTIES];
  if (released) {
    // Python's _release: every arrival of this round gets its index, in order.
    detachAll(a, b + HEAD, releasedIndex);
    i32 = a.i32;
    i32[b + STATE] = DRAINING;
  }
  mutexUnlock(i32, b + MUTEX);
  if (released) bump(i32, b);
  return ticketOf(node, serial);
}

export function barrierArrive(a: Arena, h: number, timeoutMs: number): number {
  const off = resolve(a, h, KIND_BARRIER);
  const b = off >> 2;
  // Allocated before MUTEX: critical sections stay out of the allocator.
  const node = nodeNew(a, off);
  let r: number;
  try {
    r = tryArrive(a, b, node);
    if (r === BarrierStatus.Waiting && timeoutMs !== 0) r = arriveSlow(a, b, node, timeoutMs);
  } catch (error) {
    nodeFree(a, node);
    throw error;
  }
  if (r < 0) nodeFree(a, node);
  return r;
}

function arriveSlow(a: Arena, b: number, node: number, timeoutMs: number): number {
  const arrived = waitUntil(a.i32, b, timeoutMs, () => {
    if (isInterrupted(a.i32)) throw interruptedError();
    const r = tryArrive(a, b, node);
    return r === BarrierStatus.Waiting ? undefined : r;
  });
  return arrived ?? BarrierStatus.Waiting;
}

export function barrierWait(a: Arena, h: number, ticket: number, timeoutMs: number): number {
  const off = resolve(a, h, KIND_BARRIER);
  const b = off >> 2;
  const node = nodeOf(a, ticket, off);
  let r = settle(a, b, node, false);
  if (r === BarrierStatus.Waiting) {
    if (timeoutMs === 0) return r;
    r = waitSlow(a, b, node, timeoutMs);
  }
  nodeFree(a, node);
  if (moved) bump(a.i32, b);
  return r;
}

/**
 * settleLocked under MUTEX. With `timedOut`, an arrival that still waits breaks
 * the barrier (Python's _wait timing out) and leaves as broken.
 */
function settle(a: Arena, b: number, node: number, timedOut: boolean): number {
  mutexLock(a.i32, b + MUTEX);
  moved = false;
  let r = settleLocked(a, b, node);
  if (r === BarrierStatus.Waiting && timedOut) {
    // Python's _wait timing out: break the barrier, then leave as broken.
    breakLocked(a, b);
    r = settleLocked(a, b, node);
    moved = true;
  }
  mutexUnlock(a.i32, b + MUTEX);
  return r;
}

function waitSlow(a: Arena, b: number, node: number, timeoutMs: number): number {
  const settled = waitUntil(a.i32, b, timeoutMs, () => {
    if (isInterrupted(a.i32)) throw interruptedError();
    const r = settle(a, b, node, false);
    return r === BarrierStatus.Waiting ? undefined : r;
  });
  // Past the deadline: settle once more, breaking the barrier if the arrival still waits.
  return settled ?? settle(a, b, node, true);
}

export function barrierCancel(a: Arena, h: number, ticket: number): number {
  const off = resolve(a, h, KIND_BARRIER);
  const b = off >> 2;
  const node = nodeOf(a, ticket, off);
  mutexLock(a.i32, b + MUTEX);
  const s = a.i32[(node >> 2) + N_STATE];
  if (s === WAITING) unlink(a, b + HEAD, node);
  const changed = leaveLocked(a.i32, b);
  mutexUnlock(a.i32, b + MUTEX);
  nodeFree(a, node);
  if (changed) bump(a.i32, b);
  return s >= 0 ? s : -1;
}

export function barrierAbort(a: Arena, h: number): void {
  const b = resolve(a, h, KIND_BARRIER) >> 2;
  mutexLock(a.i32, b + MUTEX);
  breakLocked(a, b);
  mutexUnlock(a.i32, b + MUTEX);
  bump(a.i32, b);
}

export function barrierReset(a: Arena, h: number): void {
  const b = resolve(a, h, KIND_BARRIER) >> 2;
  mutexLock(a.i32, b + MUTEX);
  const i32 = a.i32;
  if (i32[b + COUNT] > 0) {
    const state = i32[b + STATE];
    if (state === FILLING) {
      // Wake the waiting arrivals broken; the last of them to leave clears RESETTING.
      i32[b + STATE] = RESETTING;
      detachAll(a, b + HEAD, detached);
    } else if (state === BROKEN) {
      i32[b + STATE] = RESETTING;
    }
  } else {
    i32[b + STATE] = FILLING;
  }
  mutexUnlock(a.i32, b + MUTEX);
  bump(a.i32, b);
}

setDestroyer(KIND_BARRIER, (a, off) => {
  let node = a.i32[(off >> 2) + HEAD];
  while (node !== 0) {
    a.fit(node + NODE_BYTES);
    const next = a.i32[(node >> 2) + N_NEXT];
    nodeFree(a, node);
    node = next;
  }
});
