/**
 * The storage of a `priority` queue (queue.ts): a binary min-heap, as CPython's
 * PriorityQueue uses through `heapq`, of item blocks ordered by their priority key
 * (types.ts `comparePriorityKeys`) and then by insertion sequence, so equal keys
 * leave in put order (Python orders by the items themselves; the front end makes
 * the key from them).
 *
 * Every function runs with the queue's MUTEX held. The heap is an array block of
 * entries; its descriptor is three consecutive i32 words of the queue header,
 * starting at index `d`:
 *
 * | word | name | meaning                                                          |
 * |------|------|------------------------------------------------------------------|
 * | d    | ARR  | the entry array's block, 0 before the first put                  |
 * | d+1  | CAP  | entries the array holds (it doubles when full; never shrinks)    |
 * | d+2  | SEQ  | sequence number of the next put (u32, wrapping)                  |
 *
 * Entry (8 bytes): item block offset, then its sequence number. Sequence numbers
 * compare by serial-number arithmetic (`(x − y) | 0 < 0`), which is exact while
 * the live items' numbers span less than 2^31: the arena cannot hold that many.
 *
 * Item block of a priority queue (the first two words as queue.ts, so that get
 * copies the item the same way for every flavor):
 *
 * | offset       | name    | meaning                                  |
 * |--------------|---------|------------------------------------------|
 * | 0            | KEY_LEN | key length in bytes                      |
 * | 4            | LEN     | item length in bytes                     |
 * | 8            | item    | LEN bytes                                |
 * | 8 + LEN      | key     | KEY_LEN bytes                            |
 *
 * Incomparable keys: a push compares the new key with the keys on its path to the
 * root before moving anything, and refuses (nothing changed) when one of those
 * comparisons is undefined, as Python's heappush raises TypeError (we refuse
 * before, not after, appending). A pop's sift-down meets pairs that were never
 * compared with each other; an incomparable pair there counts as equal, so the
 * sequence decides.
 *
 * Views: every block reachable from the descriptor was allocated, so the buffer
 * grown, before it was published under the MUTEX the caller now holds; one
 * `a.refresh()` at the start of each function makes them all fit.
 */
import type { Arena } from './arena.js';
import { comparePriorityKeys } from '../types.js';

const ARR = 0;
const CAP = 1;
const SEQ = 2;
const FIRST_CAP = 16;

/** The key bytes of item block `blk` (a view of the arena). */
function keyOf(a: Arena, blk: number): Uint8Array {
  const i32 = a.i32;
  const start = blk + 8 + i32[(blk >> 2) + 1];
  return a.u8.subarray(start, start + i32[blk >> 2]);
}

/** Entry x (key kx, sequence sx) before entry y: key first, then sequence. */
function before(kx: Uint8Array, sx: number, ky: Uint8Array, sy: number): boolean {
  const c = comparePriorityKeys(kx, ky);
  if (c === undefined || c === 0) return ((sx - sy) | 0) < 0;
  return c < 0;
}

/**
 * Insert item block `blk` (its key `key` is the caller's copy of the block's key
 * bytes) into a heap of `n` entries. False, changing nothing, when `key` cannot
 * be compared with a key on its way up.
 */
export function heapPush(a: Arena, d: number, n: number, blk: number, key: Uint8Array): boolean {
  a.refresh();
  let i32 = a.i32;
  let arr = i32[d + ARR] >> 2;
  // Find the slot first: every comparison before any change.
  let i = n;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const c = comparePriorityKeys(key, keyOf(a, i32[arr + 2 * p]));
    if (c === undefined) return false;
    if (c >= 0) break; // equal keys: the newer sequence is the greater
    i = p;
  }
  if (n === i32[d + CAP]) {
    arr = grow(a, d, n) >> 2;
    i32 = a.i32;
  }
  for (let j = n; j > i; ) {
    const p = (j - 1) >> 1;
    i32[arr + 2 * j] = i32[arr + 2 * p];
    i32[arr + 2 * j + 1] = i32[arr + 2 * p + 1];
    j = p;
  }
  const seq = i32[d + SEQ];
  i32[d + SEQ] = (seq + 1) | 0;
  i32[arr + 2 * i] = blk;
  i32[arr + 2 * i + 1] = seq;
  return true;
}

/** Double the entry array (allocating under MUTEX: lock order MUTEX before ALLOC_LOCK). */
function grow(a: Arena, d: number, n: number): number {
  const old = a.i32[d + ARR];
  const cap = n === 0 ? FIRST_CAP : 2 * n;
  const arr = a.alloc(8 * cap);
  if (old !== 0) {
    a.u8.copyWithin(arr, old, old + 8 * n);
    a.free(old);
  }
  a.i32[d + ARR] = arr;
  a.i32[d + CAP] = cap;
  return arr;
}

/** Remove and return the first item block of a heap of `n` ≥ 1 entries. */
export function heapPop(a: Arena, d: number, n: number): number {
  a.refresh();
  const i32 = a.i32;
  const arr = i32[d + ARR] >> 2;
  const top = i32[arr];
  const last = n - 1;
  if (last === 0) return top;
  // Sift the last entry down from the root; its slot (now free) is left as is.
  const lastBlk = i32[arr + 2 * last];
  const lastSeq = i32[arr + 2 * last + 1];
  const lastKey = keyOf(a, lastBlk);
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= last) break;
    let ck = keyOf(a, i32[arr + 2 * c]);
    let cs = i32[arr + 2 * c + 1];
    const r = c + 1;
    if (r < last) {
      const rk = keyOf(a, i32[arr + 2 * r]);
      const rs = i32[arr + 2 * r + 1];
      if (before(rk, rs, ck, cs)) {
        c = r;
        ck = rk;
        cs = rs;
      }
    }
    if (!before(ck, cs, lastKey, lastSeq)) break;
    i32[arr + 2 * i] = i32[arr + 2 * c];
    i32[arr + 2 * i + 1] = cs;
    i = c;
  }
  i32[arr + 2 * i] = lastBlk;
  i32[arr + 2 * i + 1] = lastSeq;
  return top;
}

/**
 * Take the whole heap away (shutdown(immediate), freeing the queue): the item
 * blocks of its `n` entries, the descriptor emptied. The caller frees them
 * after unlocking.
 */
export function heapTake(a: Arena, d: number, n: number): number[] {
  a.refresh();
  const i32 = a.i32;
  const arr = i32[d + ARR];
  const blocks: number[] = [];
  if (arr === 0) return blocks;
  for (let i = 0; i < n; i++) blocks.push(i32[(arr >> 2) + 2 * i]);
  i32[d + ARR] = 0;
  i32[d + CAP] = 0;
  a.free(arr);
  return blocks;
}
