/**
 * Condition: the waiting and notifying half of Python's `threading.Condition`
 * (the lock is the front end's: a Lock or an RLock it releases around the wait).
 *
 * CPython gives each waiter its own lock in a deque; here each waiter is a ticket
 * naming a node (ticket.ts) in a FIFO list under the condition's MUTEX. A waiter
 * registers before the front end releases the lock, so a notify that comes between
 * the release and the wait finds its ticket. notify(n) unlinks up to n of the
 * oldest nodes and marks them NOTIFIED, then bumps EPOCH: every blocked waiter
 * wakes (they all wait on EPOCH, so that interruptAll and the async twins'
 * watches reach them) and checks its own node.
 *
 * Layout:
 *
 * | offset | name     | meaning                                                     |
 * |--------|----------|-------------------------------------------------------------|
 * | 0      | EPOCH    | notify.ts; bumped by every notify that notified someone     |
 * | 4      | WAITERS  | notify.ts                                                   |
 * | 8      | MUTEX    | futex mutex word (mutex.ts) guarding the list and counters  |
 * | 12     | HEAD     | oldest waiting node, 0 = none                               |
 * | 16     | TAIL     | newest waiting node, 0 = none                               |
 * | 20     | NWAITING | nodes in the list                                           |
 * | 24     | SERIAL   | serial of the last ticket issued (ticket.ts)                |
 *
 * Node STATE (ticket.ts layout):
 *
 * | STATE    | in the list | meaning                                                |
 * |----------|-------------|--------------------------------------------------------|
 * | WAITING  | yes         | registered, not notified                               |
 * | NOTIFIED | no          | notified; the ticket holder has not consumed it yet    |
 *
 * A ticket ends with exactly one of: condWait (either outcome), condPoll
 * returning true, condCancel; that call frees the node. WAITING → NOTIFIED happens
 * only under MUTEX, and a waiter whose deadline passed decides under MUTEX too, so
 * a notify and a timeout cannot both claim a ticket: whichever takes MUTEX first
 * wins, and a timeout that loses reports Notified.
 *
 * Not done: a ticket that is never ended keeps its node; freeing the condition
 * frees the nodes still waiting but not notified ones nobody consumed.
 */
import { type Arena, OBJECT_BYTES } from './arena.js';
import { CondWait } from '../types.js';
import { mutexLock, mutexUnlock } from './mutex.js';
import { bump, waitUntil } from './notify.js';
import { KIND_CONDITION, register, resolve, setDestroyer } from './registry.js';
import {
  linkTail,
  N_NEXT,
  N_PREV,
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
const HEAD = 3;
const NWAITING = 5;
const SERIAL = 6;

const WAITING = 1;
const NOTIFIED = 2;

export function condNew(a: Arena): number {
  const off = a.alloc(OBJECT_BYTES);
  a.i32.fill(0, off >> 2, (off + OBJECT_BYTES) >> 2);
  return register(a, KIND_CONDITION, off);
}

export function condRegister(a: Arena, h: number): number {
  const off = resolve(a, h, KIND_CONDITION);
  const c = off >> 2;
  const node = nodeNew(a, off); // allocated before MUTEX: critical sections stay out of the allocator
  const i32 = a.i32;
  i32[(node >> 2) + N_STATE] = WAITING;
  mutexLock(i32, c + MUTEX);
  const serial = nextSerial(i32, c + SERIAL);
  i32[(node >> 2) + N_SERIAL] = serial;
  linkTail(a, c + HEAD, node);
  a.i32[c + NWAITING]++;
  mutexUnlock(a.i32, c + MUTEX);
  return ticketOf(node, serial);
}

/** Under MUTEX: Notified if the node was notified, else withdraw it and say TimedOut. */
function withdraw(a: Arena, c: number, node: number): CondWait {
  mutexLock(a.i32, c + MUTEX);
  if (a.i32[(node >> 2) + N_STATE] === NOTIFIED) {
    mutexUnlock(a.i32, c + MUTEX);
    return CondWait.Notified;
  }
  unlink(a, c + HEAD, node);
  a.i32[c + NWAITING]--;
  mutexUnlock(a.i32, c + MUTEX);
  return CondWait.TimedOut;
}

export function condWait(a: Arena, h: number, ticket: number, timeoutMs: number): CondWait {
  const off = resolve(a, h, KIND_CONDITION);
  const c = off >> 2;
  const node = nodeOf(a, ticket, off);
  const s = (node >> 2) + N_STATE;
  const i32 = a.i32;
  if (Atomics.load(i32, s) === NOTIFIED) {
    nodeFree(a, node);
    return CondWait.Notified;
  }
  const notified = waitUntil(i32, c, timeoutMs, () =>
    Atomics.load(i32, s) === NOTIFIED ? CondWait.Notified : undefined,
  );
  // Timed out: withdraw under MUTEX, unless a notify claimed the ticket first.
  const result = notified ?? withdraw(a, c, node);
  nodeFree(a, node);
  return result;
}

export function condPoll(a: Arena, h: number, ticket: number): boolean {
  const off = resolve(a, h, KIND_CONDITION);
  const node = nodeOf(a, ticket, off);
  if (Atomics.load(a.i32, (node >> 2) + N_STATE) !== NOTIFIED) return false;
  nodeFree(a, node);
  return true;
}

export function condCancel(a: Arena, h: number, ticket: number): boolean {
  const off = resolve(a, h, KIND_CONDITION);
  const node = nodeOf(a, ticket, off);
  const notified = withdraw(a, off >> 2, node) === CondWait.Notified;
  nodeFree(a, node);
  return notified;
}

export function condNotify(a: Arena, h: number, n: number): number {
  const c = resolve(a, h, KIND_CONDITION) >> 2;
  let i32 = a.i32;
  // No waiter, no mutex: a register that races with this notify is ordered after
  // it, as if it had come later (its front end held the lock, as Python requires).
  if (n <= 0 || Atomics.load(i32, c + NWAITING) === 0) return 0;
  mutexLock(i32, c + MUTEX);
  let node = i32[c + HEAD];
  let k = 0;
  while (node !== 0 && k < n) {
    a.fit(node + NODE_BYTES);
    i32 = a.i32;
    const next = i32[(node >> 2) + N_NEXT];
    Atomics.store(i32, (node >> 2) + N_STATE, NOTIFIED);
    node = next;
    k++;
  }
  // The notified ones were the k oldest: cut the list in front of `node`.
  if (node === 0) {
    i32[c + HEAD + 1] = 0;
  } else {
    a.fit(node + NODE_BYTES);
    i32 = a.i32;
    i32[(node >> 2) + N_PREV] = 0;
  }
  i32[c + HEAD] = node;
  i32[c + NWAITING] -= k;
  mutexUnlock(i32, c + MUTEX);
  if (k > 0) bump(i32, c);
  return k;
}

export function condNotifyAll(a: Arena, h: number): number {
  return condNotify(a, h, Infinity);
}

export function condWaiting(a: Arena, h: number): number {
  const c = resolve(a, h, KIND_CONDITION) >> 2;
  return Atomics.load(a.i32, c + NWAITING);
}

setDestroyer(KIND_CONDITION, (a, off) => {
  let node = a.i32[(off >> 2) + HEAD];
  while (node !== 0) {
    a.fit(node + NODE_BYTES);
    const next = a.i32[(node >> 2) + N_NEXT];
    nodeFree(a, node);
    node = next;
  }
});
