/**
 * Queue: Python 3.13's `queue.Queue` (optional bound, task tracking, shutdown)
 * over items copied into arena blocks, in four storage flavors, as CPython's
 * subclasses override `_put`/`_get` (tryPut/tryGet here):
 *
 * | FLAVOR | name     | storage                                                       |
 * |--------|----------|---------------------------------------------------------------|
 * | 0      | fifo     | linked list of item blocks, put at TAIL, get at HEAD          |
 * | 1      | lifo     | the same list used as a stack: put and get at HEAD            |
 * | 2      | priority | binary heap of item blocks by key, then put order             |
 * |        |          | (queue-priority.ts; HEAD, TAIL, SEQ are its descriptor)       |
 * | 3      | simple   | fifo with MAXSIZE 0 (SimpleQueue: unbounded; the front end    |
 * |        |          | never calls taskDone/join, so UNFINISHED just counts puts)    |
 *
 * The list items form a singly linked list of blocks, HEAD first. Every field other
 * than EPOCH/WAITERS is written under the queue's own futex MUTEX (mutex.ts), with
 * plain stores (an Atomics.store costs ~15 ns on Node 20). Readers without the
 * mutex (qsize, join, isShutDown) use Atomics.load: join reads EPOCH first, and
 * every change is followed by the atomic EPOCH bump, so what it reads after a bump
 * it saw is current; qsize is a snapshot, as in Python. An item's block is
 * allocated and filled before the mutex is taken and freed after it is released,
 * so the critical sections are a few loads and stores and never nest in the
 * allocator (lock order: MUTEX before ALLOC_LOCK; it is never actually nested).
 *
 * Blocking follows notify.ts: try once; else waitUntil (count in WAITERS and loop:
 * read EPOCH, check the interrupt flag, try under MUTEX, Atomics.wait on EPOCH
 * until the deadline). Put and get check the flag before each try, so a blocked
 * putter or getter moves no item after interruptAll; join checks it after, as
 * waitUntil does. Every put, get, shutdown and the unfinished count reaching 0 bump
 * EPOCH after unlocking, so a getter, putter or joiner that saw the old state is
 * woken. One word serves all three of Python's conditions (not_empty, not_full,
 * all_tasks_done): waiters wake more often than strictly needed and re-check.
 *
 * Queue layout:
 *
 * | offset | name       | meaning                                                    |
 * |--------|------------|------------------------------------------------------------|
 * | 0      | EPOCH      | notify.ts                                                  |
 * | 4      | WAITERS    | notify.ts                                                  |
 * | 8      | MUTEX      | futex mutex word (mutex.ts states)                         |
 * | 12     | MAXSIZE    | bound (0 = unbounded); fixed at creation                   |
 * | 16     | SIZE       | items in the list                                          |
 * | 20     | UNFINISHED | puts not yet matched by taskDone (≥ 0)                     |
 * | 24     | SHUT       | 0 = open, 1 = shut down (never goes back)                  |
 * | 28     | HEAD       | list: first item block to get, 0 = empty; priority: ARR    |
 * | 32     | TAIL       | fifo/simple: newest item block; lifo: oldest (the bottom), |
 * |        |            | 0 = empty; priority: CAP                                   |
 * | 36     | SEQ        | priority: sequence number of the next put                  |
 * | 40     | FLAVOR     | storage flavor (table above); fixed at creation            |
 *
 * Item block layout (priority: queue-priority.ts, NEXT holds the key length and
 * the key follows the item):
 *
 * | offset | name  | meaning                                                          |
 * |--------|-------|------------------------------------------------------------------|
 * | 0      | NEXT  | next (newer) item's block, 0 = last                              |
 * | 4      | LEN   | item length in bytes                                             |
 * | 8      | bytes | the item: u32 LE handle count n, n u32 LE handle ids, payload    |
 *
 * Invariants (under MUTEX): SIZE = number of items; for the list flavors HEAD = 0
 * ⇔ TAIL = 0 ⇔ SIZE = 0; MAXSIZE = 0 or SIZE ≤ MAXSIZE; a failed call changes
 * nothing (a priority put refused as Incomparable included). An item
 * owns the references of the handles in its header until a get hands them to the
 * caller; dropping it (shutdown(immediate), freeing the queue) releases them.
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { GetStatus, PutStatus, type QueueFlavor } from '../types.js';
import { mutexLock, mutexUnlock } from './mutex.js';
import { bump, interruptedError, isInterrupted, waitUntil } from './notify.js';
import { heapPop, heapPush, heapTake } from './queue-priority.js';
import { KIND_QUEUE, register, releaseQuietly, resolve, setDestroyer } from './registry.js';

// i32 word indices relative to the queue's header.
const MUTEX = 2;
const MAXSIZE = 3;
const SIZE = 4;
const UNFINISHED = 5;
const SHUT = 6;
const HEAD = 7;
const TAIL = 8;
const FLAVOR = 10;
/** Item block header bytes (NEXT, LEN). */
const ITEM_HEADER = 8;

const FIFO = 0;
const LIFO = 1;
const PRIORITY = 2;
const SIMPLE = 3;
const FLAVORS: Record<QueueFlavor, number> = { fifo: FIFO, lifo: LIFO, priority: PRIORITY, simple: SIMPLE };
const NO_KEY = new Uint8Array(0);

export function queueNew(a: Arena, maxsize: number, flavor: QueueFlavor): number {
  const off = a.alloc(OBJECT_BYTES);
  const code = FLAVORS[flavor];
  a.i32.fill(0, off >> 2, (off + OBJECT_BYTES) >> 2);
  a.i32[(off >> 2) + MAXSIZE] = code === SIMPLE ? 0 : maxsize;
  a.i32[(off >> 2) + FLAVOR] = code;
  return register(a, KIND_QUEUE, off);
}

export function queueMaxsize(a: Arena, h: number): number {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  return a.i32[q + MAXSIZE];
}

/**
 * One attempt with MUTEX held: store `blk` (its key is `key`, priority only) or
 * say why not. Throws only when a priority heap cannot grow (out of memory).
 */
function tryPut(a: Arena, q: number, blk: number, key: Uint8Array): PutStatus {
  let i32 = a.i32;
  if (i32[q + SHUT] !== 0) return PutStatus.ShutDown;
  const max = i32[q + MAXSIZE];
  const size = i32[q + SIZE];
  if (max > 0 && size >= max) return PutStatus.Full;
  const flavor = i32[q + FLAVOR];
  if (flavor === FIFO || flavor === SIMPLE) {
    const tail = i32[q + TAIL];
    if (tail === 0) {
      i32[q + HEAD] = blk;
    } else {
      a.fit(tail + ITEM_HEADER); // another isolate's block, maybe past our views
      i32 = a.i32;
      i32[tail >> 2] = blk;
    }
    i32[q + TAIL] = blk;
  } else if (flavor === LIFO) {
    const head = i32[q + HEAD];
    i32[blk >> 2] = head;
    i32[q + HEAD] = blk;
    if (head === 0) i32[q + TAIL] = blk;
  } else {
    if (!heapPush(a, q + HEAD, size, blk, key)) return PutStatus.Incomparable;
    i32 = a.i32;
  }
  i32[q + SIZE] = size + 1;
  i32[q + UNFINISHED]++;
  return PutStatus.Ok;
}

/** tryPut under MUTEX, unlocking even if it throws. */
function lockedPut(a: Arena, q: number, blk: number, key: Uint8Array): PutStatus {
  mutexLock(a.i32, q + MUTEX);
  try {
    return tryPut(a, q, blk, key);
  } finally {
    mutexUnlock(a.i32, q + MUTEX);
  }
}

export function queuePut(a: Arena, h: number, item: Uint8Array, timeoutMs: number, key?: Uint8Array): PutStatus {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  const len = item.length;
  const priority = a.i32[q + FLAVOR] === PRIORITY;
  const k = priority ? (key ?? NO_KEY) : NO_KEY;
  const blk = a.alloc(ITEM_HEADER + len + k.length);
  let i32 = a.i32;
  i32[blk >> 2] = k.length; // KEY_LEN for the heap; for the lists NEXT, 0 = last
  i32[(blk >> 2) + 1] = len;
  a.u8.set(item, blk + ITEM_HEADER);
  let status: PutStatus;
  try {
    if (priority) {
      a.u8.set(k, blk + ITEM_HEADER + len);
      status = lockedPut(a, q, blk, k);
    } else {
      mutexLock(i32, q + MUTEX);
      status = tryPut(a, q, blk, k);
      mutexUnlock(a.i32, q + MUTEX);
    }
    if (status === PutStatus.Full && timeoutMs !== 0) status = putSlow(a, q, blk, k, timeoutMs);
  } catch (error) {
    a.free(blk);
    throw error;
  }
  i32 = a.i32;
  if (status === PutStatus.Ok) bump(i32, q);
  else a.free(blk);
  return status;
}

function putSlow(a: Arena, q: number, blk: number, key: Uint8Array, timeoutMs: number): PutStatus {
  const done = waitUntil(a.i32, q, timeoutMs, () => {
    if (isInterrupted(a.i32)) throw interruptedError();
    const status = lockedPut(a, q, blk, key);
    return status === PutStatus.Full ? undefined : status;
  });
  return done ?? PutStatus.Full;
}

/** One attempt with MUTEX held: the removed block (inside the views), or -GetStatus. */
function tryGet(a: Arena, q: number): number {
  let i32 = a.i32;
  const size = i32[q + SIZE];
  if (size === 0) return i32[q + SHUT] !== 0 ? -GetStatus.ShutDown : -GetStatus.Empty;
  i32[q + SIZE] = size - 1;
  if (i32[q + FLAVOR] === PRIORITY) return heapPop(a, q + HEAD, size);
  // fifo, lifo and simple all take from HEAD.
  const head = i32[q + HEAD];
  a.fit(head + ITEM_HEADER); // another isolate's block, maybe past our views
  i32 = a.i32;
  const next = i32[head >> 2];
  i32[q + HEAD] = next;
  if (next === 0) i32[q + TAIL] = 0;
  return head;
}

export function queueGet(a: Arena, h: number, timeoutMs: number, into?: Uint8Array): Uint8Array | GetStatus {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  mutexLock(a.i32, q + MUTEX);
  let blk = tryGet(a, q);
  mutexUnlock(a.i32, q + MUTEX);
  if (blk === -GetStatus.Empty && timeoutMs !== 0) blk = getSlow(a, q, timeoutMs);
  if (blk < 0) return -blk as GetStatus;
  bump(a.i32, q);
  const start = blk + ITEM_HEADER;
  const end = start + a.i32[(blk >> 2) + 1];
  a.fit(end);
  let item: Uint8Array;
  if (into !== undefined && end - start <= into.length) {
    item = into.subarray(0, end - start);
    item.set(a.u8.subarray(start, end));
  } else {
    item = a.u8.slice(start, end); // a copy in a fresh, unshared ArrayBuffer
  }
  a.free(blk);
  return item;
}

function getSlow(a: Arena, q: number, timeoutMs: number): number {
  const got = waitUntil(a.i32, q, timeoutMs, () => {
    if (isInterrupted(a.i32)) throw interruptedError();
    mutexLock(a.i32, q + MUTEX);
    const blk = tryGet(a, q);
    mutexUnlock(a.i32, q + MUTEX);
    return blk === -GetStatus.Empty ? undefined : blk;
  });
  return got ?? -GetStatus.Empty;
}

export function queueSize(a: Arena, h: number): number {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  return Atomics.load(a.i32, q + SIZE);
}

export function queueTaskDone(a: Arena, h: number): boolean {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  const i32 = a.i32;
  mutexLock(i32, q + MUTEX);
  const n = i32[q + UNFINISHED];
  if (n > 0) i32[q + UNFINISHED] = n - 1;
  mutexUnlock(i32, q + MUTEX);
  if (n === 1) bump(i32, q);
  return n > 0;
}

export function queueJoin(a: Arena, h: number, timeoutMs: number): boolean {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  const i32 = a.i32;
  if (Atomics.load(i32, q + UNFINISHED) === 0) return true;
  if (timeoutMs === 0) return false;
  const joined = waitUntil(i32, q, timeoutMs, () => (Atomics.load(i32, q + UNFINISHED) === 0 ? true : undefined));
  return joined ?? false;
}

export function queueShutdown(a: Arena, h: number, immediate: boolean): void {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  let i32 = a.i32;
  let dropped = 0;
  let droppedHeap: number[] | undefined;
  mutexLock(i32, q + MUTEX);
  Atomics.store(i32, q + SHUT, 1);
  if (immediate) {
    const n = i32[q + SIZE];
    if (i32[q + FLAVOR] === PRIORITY) {
      // Frees only the entry array (ALLOC_LOCK after MUTEX), never throws.
      droppedHeap = heapTake(a, q + HEAD, n);
      i32 = a.i32;
    } else {
      dropped = i32[q + HEAD];
      i32[q + HEAD] = 0;
      i32[q + TAIL] = 0;
    }
    i32[q + SIZE] = 0;
    // Python 3.13 counts each drained item as task_done, never going below 0.
    i32[q + UNFINISHED] = Math.max(0, i32[q + UNFINISHED] - n);
  }
  mutexUnlock(i32, q + MUTEX);
  bump(i32, q);
  if (droppedHeap !== undefined) for (const blk of droppedHeap) dropItem(a, blk);
  else dropItems(a, dropped);
}

export function queueIsShutDown(a: Arena, h: number): boolean {
  const q = resolve(a, h, KIND_QUEUE) >> 2;
  return Atomics.load(a.i32, q + SHUT) !== 0;
}

/**
 * Release the handles listed in the header of the encoded item at byte `start`,
 * `len` bytes long (the caller made it fit the views).
 */
export function releaseItemHandles(a: Arena, start: number, len: number): void {
  if (len < 4) return;
  const u8 = a.u8;
  const n = Math.min((u8[start] | (u8[start + 1] << 8) | (u8[start + 2] << 16) | (u8[start + 3] << 24)) >>> 0, (len - 4) >>> 2);
  if (n === 0) return;
  // Read every id before releasing any: a release may free blocks and rebuild the views.
  const ids: number[] = [];
  for (let i = 0, p = start + 4; i < n; i++, p += 4) {
    ids.push((u8[p] | (u8[p + 1] << 8) | (u8[p + 2] << 16) | (u8[p + 3] << 24)) >>> 0);
  }
  for (const id of ids) releaseQuietly(a, id);
}

/** Free a detached item block, releasing its handles. */
function dropItem(a: Arena, blk: number): void {
  a.fit(blk + ITEM_HEADER);
  const len = a.i32[(blk >> 2) + 1];
  a.fit(blk + ITEM_HEADER + len);
  releaseItemHandles(a, blk + ITEM_HEADER, len);
  a.free(blk);
}

/** Free a detached list of item blocks starting at `blk`, releasing their handles. */
function dropItems(a: Arena, blk: number): void {
  while (blk !== 0) {
    a.fit(blk + ITEM_HEADER);
    const next = a.i32[blk >> 2];
    dropItem(a, blk);
    blk = next;
  }
}

setDestroyer(KIND_QUEUE, (a, off) => {
  const q = off >> 2;
  if (a.i32[q + FLAVOR] !== PRIORITY) {
    dropItems(a, a.i32[q + HEAD]);
    return;
  }
  const blocks = heapTake(a, q + HEAD, a.i32[q + SIZE]);
  for (const blk of blocks) dropItem(a, blk);
});
