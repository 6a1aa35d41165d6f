/**
 * Handle table: handle → (kind, object offset, reference count), in the arena, so
 * every isolate resolves a handle the same way with a few loads and no lock.
 *
 * A handle is a 30-bit integer (always a V8 small integer, and it fits the u32
 * ids of item headers):
 *
 * | bits  | meaning                                                          |
 * |-------|------------------------------------------------------------------|
 * | 0–19  | slot index, 1 … 2^20 − 1 (slot 0 is never used, so no handle is 0) |
 * | 20–29 | generation of the slot when the object was registered (mod 1024)  |
 *
 * Slots live in chunks of CHUNK_SLOTS, allocated from the arena on demand and
 * listed in the arena header's SLOT_DIR (arena.ts), so the table grows without
 * moving. Slot layout (16 bytes, i32 words):
 *
 * | offset | name  | meaning                                                      |
 * |--------|-------|--------------------------------------------------------------|
 * | 0      | meta  | generation << 4 | kind; kind 0 = free (see state table)     |
 * | 4      | off   | byte offset of the object in the arena (valid while live)    |
 * | 8      | refs  | reference count (valid while live)                           |
 * | 12     | next  | next slot index on the free list (0 = last), while free      |
 *
 * meta states:
 *
 * | generation | kind | meaning                                                         |
 * |------------|------|-----------------------------------------------------------------|
 * | g          | 0    | free; the next object in this slot gets generation g            |
 * | g          | 1–9  | live object of that kind (KIND_*), named by handle g << 20 | index |
 *
 * Resolving checks that the slot's meta equals (handle's generation << 4 | kind)
 * with one atomic load, so a handle to a freed object (the generation moved on
 * when it was freed), to another kind, or that was never issued, is an
 * `invalid handle` TypeError. A slot is reused only after REUSE_DELAY other slots
 * were freed (FIFO free list), and only 1024 reuses later can a stale handle name a
 * new object, so staleness detection is best-effort but very likely.
 *
 * Counting: `register` starts at 1; retain/release are one atomic add each and
 * need no lock (the caller owns a reference, so the count cannot reach 0 under
 * it). The release that reaches 0 frees the slot under REG_LOCK (bumping the
 * generation first, so the handle is stale from then on), then runs the kind's
 * destroyer (which may release further handles, recursively) and frees the
 * object's block, with no lock held.
 *
 * Every function here returns offsets already inside the caller's views
 * (`Arena.fit`), so callers read `a.i32` only after calling them.
 */
import {
  type Arena,
  DIR_ENTRIES,
  LIVE,
  OBJECT_BYTES,
  REG_LOCK,
  SLOT_DIR,
  SLOT_FREE_HEAD,
  SLOT_FREE_N,
  SLOT_FREE_TAIL,
  SLOT_TOP,
} from './arena.js';
import { mutexLock, mutexUnlock } from './mutex.js';

export const KIND_LOCK = 1;
export const KIND_VALUE = 2;
export const KIND_QUEUE = 3;
export const KIND_THREAD = 4;
export const KIND_RLOCK = 5;
export const KIND_CONDITION = 6;
export const KIND_SEMAPHORE = 7;
export const KIND_EVENT = 8;
export const KIND_BARRIER = 9;
export const KIND_NAMES = [
  undefined,
  'lock',
  'value',
  'queue',
  'thread',
  'rlock',
  'condition',
  'semaphore',
  'event',
  'barrier',
] as const;

const INDEX_BITS = 20;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const GEN_MASK = 1023;
const KIND_BITS = 4;
const KIND_MASK = 15;
const CHUNK_BITS = 10;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;
const SLOT_WORDS = 4;
const CHUNK_BYTES = CHUNK_SLOTS * SLOT_WORDS * 4;
const MAX_SLOTS = DIR_ENTRIES * CHUNK_SLOTS;
/** Freed slots wait on the free list until this many are queued, so stale handles stay detectable. */
const REUSE_DELAY = 1024;

/** Releases what an object owns (not its own block) once its count reaches 0. */
export type Destroyer = (a: Arena, off: number) => void;
const destroyers: (Destroyer | undefined)[] = [];

export function setDestroyer(kind: number, destroy: Destroyer): void {
  destroyers[kind] = destroy;
}

export function invalidHandle(h: unknown, kind?: number): TypeError {
  const expected = kind === undefined ? '' : `: not a live ${KIND_NAMES[kind] ?? 'object'}`;
  return new TypeError(`invalid handle ${String(h)}${expected}`);
}

/** i32 index of slot `index`'s meta word, its chunk inside the views; the chunk must exist. */
function slotOf(a: Arena, index: number): number {
  const chunk = a.i32[SLOT_DIR + (index >>> CHUNK_BITS)];
  a.fit(chunk + CHUNK_BYTES);
  return (chunk >> 2) + ((index & CHUNK_MASK) * SLOT_WORDS);
}

/**
 * The object offset of `h`, a live handle of `kind`, with the object inside the
 * views; else an `invalid handle` TypeError. The hot path of every operation: a
 * few loads and compares, no lock.
 */
export function resolve(a: Arena, h: number, kind: number): number {
  const index = h & INDEX_MASK;
  const chunk = a.i32[SLOT_DIR + (index >>> CHUNK_BITS)];
  if (chunk === 0 || h !== h >>> 0) throw invalidHandle(h, kind);
  if (chunk + CHUNK_BYTES > a.limit) a.refresh();
  const i32 = a.i32;
  const s = (chunk >> 2) + ((index & CHUNK_MASK) * SLOT_WORDS);
  // A plain load (an Atomics.load costs ~15 ns on Node 20): the caller owns a
  // reference, so meta and off were published to it with that reference, and for
  // a handle it does not own the check is best-effort anyway.
  if (i32[s] !== (((h >>> INDEX_BITS) << KIND_BITS) | kind)) throw invalidHandle(h, kind);
  const off = i32[s + 1];
  if (off + OBJECT_BYTES > a.limit) a.refresh();
  return off;
}

/** The slot's i32 index when `h` is a live handle of any kind (its object inside the views), else -1. */
function liveSlot(a: Arena, h: number): number {
  if (typeof h !== 'number' || h !== h >>> 0) return -1;
  const index = h & INDEX_MASK;
  const chunk = a.i32[SLOT_DIR + (index >>> CHUNK_BITS)];
  if (chunk === 0) return -1;
  a.fit(chunk + CHUNK_BYTES);
  const i32 = a.i32;
  const s = (chunk >> 2) + ((index & CHUNK_MASK) * SLOT_WORDS);
  const meta = Atomics.load(i32, s);
  if ((meta & KIND_MASK) === 0 || meta >>> KIND_BITS !== h >>> INDEX_BITS) return -1;
  a.fit(i32[s + 1] + OBJECT_BYTES);
  return s;
}

/** Object offset of a live handle of any kind (inside the views); else an `invalid handle` TypeError. */
export function resolveAny(a: Arena, h: number): number {
  const s = liveSlot(a, h);
  if (s < 0) throw invalidHandle(h);
  return a.i32[s + 1];
}

export function kindOf(a: Arena, h: number): number {
  const s = liveSlot(a, h);
  return s < 0 ? 0 : Atomics.load(a.i32, s) & KIND_MASK;
}

/** Name the object at `off` (OBJECT_BYTES, already initialised): a new handle with one reference. */
export function register(a: Arena, kind: number, off: number): number {
  mutexLock(a.i32, REG_LOCK);
  let i32 = a.i32;
  let index: number;
  const top = i32[SLOT_TOP];
  if (i32[SLOT_FREE_N] > REUSE_DELAY || (top === MAX_SLOTS && i32[SLOT_FREE_N] > 0)) {
    index = i32[SLOT_FREE_HEAD];
    const fs = slotOf(a, index); // may rebuild the views: call before reading a.i32
    i32 = a.i32;
    const next = i32[fs + 3];
    i32[SLOT_FREE_HEAD] = next;
    if (next === 0) i32[SLOT_FREE_TAIL] = 0;
    i32[SLOT_FREE_N]--;
  } else if (top < MAX_SLOTS) {
    const d = SLOT_DIR + (top >>> CHUNK_BITS);
    if (i32[d] === 0) {
      let chunk: number;
      try {
        chunk = a.alloc(CHUNK_BYTES);
      } catch (error) {
        mutexUnlock(a.i32, REG_LOCK);
        throw error;
      }
      a.u8.fill(0, chunk, chunk + CHUNK_BYTES);
      Atomics.store(a.i32, d, chunk);
    }
    index = top;
    a.i32[SLOT_TOP] = top + 1;
  } else {
    mutexUnlock(i32, REG_LOCK);
    throw new RangeError(`native-threads js backend: more than ${MAX_SLOTS - 1} live objects`);
  }
  const s = slotOf(a, index);
  i32 = a.i32;
  const gen = i32[s] >>> KIND_BITS;
  i32[s + 1] = off;
  i32[s + 2] = 1;
  i32[s + 3] = 0;
  // Publishes off and refs: resolve() reads meta first (both SeqCst).
  Atomics.store(i32, s, (gen << KIND_BITS) | kind);
  Atomics.add(i32, LIVE, 1);
  mutexUnlock(i32, REG_LOCK);
  return ((gen << INDEX_BITS) | index) >>> 0;
}

export function retain(a: Arena, h: number): void {
  const s = liveSlot(a, h);
  if (s < 0) throw invalidHandle(h);
  Atomics.add(a.i32, s + 2, 1);
}

export function release(a: Arena, h: number): void {
  const s = liveSlot(a, h);
  if (s < 0) throw invalidHandle(h);
  let i32 = a.i32;
  const prev = Atomics.sub(i32, s + 2, 1);
  if (prev > 1) return;
  if (prev < 1) {
    Atomics.add(i32, s + 2, 1);
    throw invalidHandle(h);
  }
  const meta = i32[s];
  const off = i32[s + 1];
  const index = h & INDEX_MASK;
  mutexLock(i32, REG_LOCK);
  Atomics.store(i32, s, (((meta >>> KIND_BITS) + 1) & GEN_MASK) << KIND_BITS);
  i32[s + 3] = 0;
  const tail = i32[SLOT_FREE_TAIL];
  if (tail === 0) i32[SLOT_FREE_HEAD] = index;
  else {
    const ts = slotOf(a, tail); // may rebuild the views: call before reading a.i32
    i32 = a.i32;
    i32[ts + 3] = index;
  }
  i32[SLOT_FREE_TAIL] = index;
  i32[SLOT_FREE_N]++;
  Atomics.sub(i32, LIVE, 1);
  mutexUnlock(i32, REG_LOCK);
  const destroy = destroyers[meta & KIND_MASK];
  if (destroy !== undefined) destroy(a, off);
  a.free(off);
}

/** Release, ignoring handles that are not live (for ids read from item headers while dropping). */
export function releaseQuietly(a: Arena, h: number): void {
  if (liveSlot(a, h) >= 0) release(a, h);
}

export function liveObjects(a: Arena): number {
  return Atomics.load(a.i32, LIVE);
}

/**
 * Calls `fn(handle, kind, off)` for every live object, in order of slot index,
 * under REG_LOCK: `fn` must not register or free objects.
 */
export function forEachLive(a: Arena, fn: (h: number, kind: number, off: number) => void): void {
  mutexLock(a.i32, REG_LOCK);
  try {
    const top = a.i32[SLOT_TOP];
    for (let index = 1; index < top; index++) {
      const s = slotOf(a, index);
      const meta = a.i32[s];
      const kind = meta & KIND_MASK;
      if (kind === 0) continue;
      const off = a.i32[s + 1];
      a.fit(off + OBJECT_BYTES);
      fn((((meta >>> KIND_BITS) << INDEX_BITS) | index) >>> 0, kind, off);
    }
  } finally {
    mutexUnlock(a.i32, REG_LOCK);
  }
}
