/**
 * Waiter nodes and the tickets that name them, shared by Condition
 * (condition.ts) and Barrier (barrier.ts): each registered waiter (a condition
 * ticket, a barrier arrival) is a small arena block, linked into its object's
 * doubly linked FIFO list while it waits, and owned by the caller holding its
 * ticket until that caller's last call about it (which frees it). The object
 * never frees a node it has unlinked; it only marks it (notified, released,
 * broken), so a ticket holder in any isolate can read its node without a lock.
 *
 * Node layout (NODE_BYTES, i32 words):
 *
 * | offset | name   | meaning                                                        |
 * |--------|--------|----------------------------------------------------------------|
 * | 0      | NEXT   | next (newer) linked node, 0 = last; meaningless once unlinked  |
 * | 4      | PREV   | previous (older) linked node, 0 = first                        |
 * | 8      | STATE  | the object's business (condition.ts, barrier.ts)                |
 * | 12     | SERIAL | low part of the ticket; 0 once freed                            |
 * | 16     | OWNER  | byte offset of the object the node belongs to; 0 once freed     |
 *
 * A ticket is `SERIAL · 2^31 + node offset`, a safe integer > 0 (SERIAL is 1 …
 * 2^21 − 1, offsets are below 2^31). Decoding checks the node's SERIAL and OWNER,
 * so a ticket used after its node was freed, or given to the wrong object, is a
 * TypeError `invalid ticket` (best effort: a freed node's block may be reused).
 *
 * List words: every list is a HEAD and a TAIL word in the object's header, at
 * i32 indices `hd` and `hd + 1`, guarded by the object's mutex. Node offsets read
 * from them may lie beyond this isolate's views (another isolate allocated the
 * node): every step fits the node first (arena.ts rule).
 */
import { type Arena, HEAP_START } from './arena.js';

export const NODE_BYTES = 20;
export const N_NEXT = 0;
export const N_PREV = 1;
export const N_STATE = 2;
export const N_SERIAL = 3;
export const N_OWNER = 4;

const OFFSET_SPAN = 2 ** 31;
const SERIAL_MASK = (1 << 21) - 1;

/** The next serial from the counter word `idx` (under the object's mutex): 1 … 2^21 − 1, wrapping. */
export function nextSerial(i32: Int32Array, idx: number): number {
  const s = (i32[idx] & SERIAL_MASK) + 1;
  const serial = s > SERIAL_MASK ? 1 : s;
  i32[idx] = serial;
  return serial;
}

export function ticketOf(node: number, serial: number): number {
  return serial * OFFSET_SPAN + node;
}

export function invalidTicket(ticket: number): TypeError {
  return new TypeError(`invalid ticket: ${String(ticket)}`);
}

/** The node (byte offset, inside the views) that `ticket` names for the object at byte offset `owner`. */
export function nodeOf(a: Arena, ticket: number, owner: number): number {
  if (!Number.isSafeInteger(ticket) || ticket <= 0) throw invalidTicket(ticket);
  const node = ticket % OFFSET_SPAN;
  const serial = (ticket - node) / OFFSET_SPAN;
  if ((node & 7) !== 0 || node < HEAP_START) throw invalidTicket(ticket);
  a.fit(node + NODE_BYTES);
  if (node + NODE_BYTES > a.limit) throw invalidTicket(ticket);
  const n = node >> 2;
  const i32 = a.i32;
  if (i32[n + N_SERIAL] !== serial || i32[n + N_OWNER] !== owner) throw invalidTicket(ticket);
  return node;
}

/** A fresh node for the object at byte offset `owner` (not linked; SERIAL still 0). */
export function nodeNew(a: Arena, owner: number): number {
  const node = a.alloc(NODE_BYTES);
  const n = node >> 2;
  const i32 = a.i32;
  i32[n + N_NEXT] = 0;
  i32[n + N_PREV] = 0;
  i32[n + N_STATE] = 0;
  i32[n + N_SERIAL] = 0;
  i32[n + N_OWNER] = owner;
  return node;
}

/** Free a node its ticket holder is done with (the node is inside the views). */
export function nodeFree(a: Arena, node: number): void {
  const n = node >> 2;
  // Zeroed so that a stale ticket naming this block no longer decodes.
  a.i32[n + N_SERIAL] = 0;
  a.i32[n + N_OWNER] = 0;
  a.free(node);
}

/** Append `node` (inside the views) to the list at `hd`. */
export function linkTail(a: Arena, hd: number, node: number): void {
  let i32 = a.i32;
  const tail = i32[hd + 1];
  i32[(node >> 2) + N_NEXT] = 0;
  i32[(node >> 2) + N_PREV] = tail;
  if (tail === 0) {
    i32[hd] = node;
  } else {
    a.fit(tail + NODE_BYTES);
    i32 = a.i32;
    i32[(tail >> 2) + N_NEXT] = node;
  }
  i32[hd + 1] = node;
}

/** Remove `node` (inside the views, linked in the list at `hd`). */
export function unlink(a: Arena, hd: number, node: number): void {
  let i32 = a.i32;
  const next = i32[(node >> 2) + N_NEXT];
  const prev = i32[(node >> 2) + N_PREV];
  if (prev === 0) {
    i32[hd] = next;
  } else {
    a.fit(prev + NODE_BYTES);
    i32 = a.i32;
    i32[(prev >> 2) + N_NEXT] = next;
  }
  if (next === 0) {
    i32[hd + 1] = prev;
  } else {
    a.fit(next + NODE_BYTES);
    i32 = a.i32;
    i32[(next >> 2) + N_PREV] = prev;
  }
}

/**
 * Unlink every node of the list at `hd`, oldest first, storing `state(k)` (k =
 * 0, 1, …) into each node's STATE (atomically: ticket holders read it without the
 * mutex). Returns how many.
 */
export function detachAll(a: Arena, hd: number, state: (k: number) => number): number {
  let node = a.i32[hd];
  let k = 0;
  while (node !== 0) {
    a.fit(node + NODE_BYTES);
    const i32 = a.i32;
    const next = i32[(node >> 2) + N_NEXT];
    Atomics.store(i32, (node >> 2) + N_STATE, state(k++));
    node = next;
  }
  a.i32[hd] = 0;
  a.i32[hd + 1] = 0;
  return k;
}
