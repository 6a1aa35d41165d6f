/**
 * Thread records (what every isolate can see of a thread), sleep, and the OS
 * thread id.
 *
 * A record's life cycle is New → Running → Done (STATE, stored atomically and
 * only moved forward). The name and the outcome are byte strings in their own
 * arena blocks; MUTEX guards the block offsets and lengths, so a reader copying a
 * name never sees its block freed by a concurrent rename. threadFinish stores the
 * outcome before STATE = Done (both under MUTEX) and then bumps EPOCH, which is
 * what joiners and watches wait on (notify.ts protocol).
 *
 * Record layout:
 *
 * | offset | name      | meaning                                                     |
 * |--------|-----------|-------------------------------------------------------------|
 * | 0      | EPOCH     | notify.ts; bumped by threadFinish                           |
 * | 4      | WAITERS   | notify.ts                                                   |
 * | 8      | MUTEX     | futex mutex word (mutex.ts) guarding NAME_* and OUT_*       |
 * | 12     | STATE     | ThreadState: 0 New, 1 Running, 2 Done                       |
 * | 16     | DAEMON    | 0 or 1                                                      |
 * | 20     | NATIVE_ID | OS thread id recorded by threadMarkRunning (-1 before)      |
 * | 24     | NAME_BLK  | block holding the name's UTF-8 bytes                        |
 * | 28     | NAME_LEN  | name length in bytes                                        |
 * | 32     | OUT_BLK   | block holding the outcome bytes, 0 before Done              |
 * | 36     | OUT_LEN   | outcome length in bytes                                     |
 * | 40     | FAILED    | 1 when the outcome is an encoded error                      |
 *
 * The outcome is an encoded item (header of handle ids, types.ts); the record owns
 * those references until it is freed, then releases them.
 *
 * sleep waits on the arena's INTERRUPTED word, which only interruptAll changes,
 * so a sleeper is an ordinary timed Atomics.wait that interruptAll can cut short.
 * osThreadId reads /proc/thread-self (a symlink to `<pid>/task/<tid>`) once per
 * isolate; each worker isolate runs on its own OS thread for its whole life.
 */
import { readlinkSync } from 'node:fs';
import { type Arena, INTERRUPTED, OBJECT_BYTES } from './arena.js';
import { ThreadState, type ThreadOutcome } from '../types.js';
import { mutexLock, mutexUnlock } from './mutex.js';
import { bump, deadlineOf, interruptedError, isInterrupted, waitUntil, waitWord } from './notify.js';
import { forEachLive, KIND_THREAD, register, resolve, setDestroyer } from './registry.js';
import { releaseItemHandles } from './queue.js';

const MUTEX = 2;
const STATE = 3;
const DAEMON = 4;
const NATIVE_ID = 5;
const NAME_BLK = 6;
const NAME_LEN = 7;
const OUT_BLK = 8;
const OUT_LEN = 9;
const FAILED = 10;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A block holding `bytes`; returns its offset. */
function storeBytes(a: Arena, bytes: Uint8Array): number {
  const blk = a.alloc(bytes.length);
  a.u8.set(bytes, blk);
  return blk;
}

/** A fresh copy of `len` bytes at `blk` (an unshared buffer: TextDecoder refuses shared views). */
function loadBytes(a: Arena, blk: number, len: number): Uint8Array {
  a.fit(blk + len); // written by another isolate, maybe past our views
  return a.u8.slice(blk, blk + len);
}

export function threadNew(a: Arena, name: string, daemon: boolean): number {
  const bytes = encoder.encode(name);
  const nameBlk = storeBytes(a, bytes);
  const off = a.alloc(OBJECT_BYTES);
  const o = off >> 2;
  const i32 = a.i32;
  i32.fill(0, o, o + (OBJECT_BYTES >> 2));
  i32[o + DAEMON] = daemon ? 1 : 0;
  i32[o + NATIVE_ID] = -1;
  i32[o + NAME_BLK] = nameBlk;
  i32[o + NAME_LEN] = bytes.length;
  return register(a, KIND_THREAD, off);
}

export function threadName(a: Arena, h: number): string {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  mutexLock(a.i32, o + MUTEX);
  const bytes = loadBytes(a, a.i32[o + NAME_BLK], a.i32[o + NAME_LEN]);
  mutexUnlock(a.i32, o + MUTEX);
  return decoder.decode(bytes);
}

export function threadSetName(a: Arena, h: number, name: string): void {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  const bytes = encoder.encode(name);
  const blk = storeBytes(a, bytes);
  const i32 = a.i32;
  mutexLock(i32, o + MUTEX);
  const old = i32[o + NAME_BLK];
  i32[o + NAME_BLK] = blk;
  i32[o + NAME_LEN] = bytes.length;
  mutexUnlock(i32, o + MUTEX);
  a.fit(old + 8);
  a.free(old);
}

export function threadDaemon(a: Arena, h: number): boolean {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  return Atomics.load(a.i32, o + DAEMON) !== 0;
}

export function threadSetDaemon(a: Arena, h: number, daemon: boolean): void {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  Atomics.store(a.i32, o + DAEMON, daemon ? 1 : 0);
}

export function threadState(a: Arena, h: number): ThreadState {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  return Atomics.load(a.i32, o + STATE) as ThreadState;
}

export function threadMarkRunning(a: Arena, h: number, nativeId: number): void {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  const i32 = a.i32;
  Atomics.store(i32, o + NATIVE_ID, nativeId);
  Atomics.compareExchange(i32, o + STATE, ThreadState.New, ThreadState.Running);
}

export function threadNativeId(a: Arena, h: number): number {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  return Atomics.load(a.i32, o + NATIVE_ID);
}

export function threadFinish(a: Arena, h: number, data: Uint8Array, failed: boolean): void {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  const blk = storeBytes(a, data);
  const i32 = a.i32;
  mutexLock(i32, o + MUTEX);
  if (Atomics.load(i32, o + STATE) === ThreadState.Done) {
    // Two finishers racing (an isolate found dead by a joiner and by its pool): the first outcome stays.
    mutexUnlock(i32, o + MUTEX);
    releaseItemHandles(a, blk, data.length);
    a.free(blk);
    return;
  }
  i32[o + OUT_BLK] = blk;
  i32[o + OUT_LEN] = data.length;
  i32[o + FAILED] = failed ? 1 : 0;
  Atomics.store(i32, o + STATE, ThreadState.Done);
  mutexUnlock(i32, o + MUTEX);
  bump(i32, o);
}

export function threadJoin(a: Arena, h: number, timeoutMs: number): boolean {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  const i32 = a.i32;
  if (Atomics.load(i32, o + STATE) === ThreadState.Done) return true;
  if (timeoutMs === 0) return false;
  const done = waitUntil(i32, o, timeoutMs, () =>
    Atomics.load(i32, o + STATE) === ThreadState.Done ? true : undefined,
  );
  return done ?? false;
}

export function threadOutcome(a: Arena, h: number): ThreadOutcome | undefined {
  const o = resolve(a, h, KIND_THREAD) >> 2;
  if (Atomics.load(a.i32, o + STATE) !== ThreadState.Done) return undefined;
  mutexLock(a.i32, o + MUTEX);
  const data = loadBytes(a, a.i32[o + OUT_BLK], a.i32[o + OUT_LEN]);
  const failed = a.i32[o + FAILED] !== 0;
  mutexUnlock(a.i32, o + MUTEX);
  return { data, failed };
}

export function threadsRunning(a: Arena): number[] {
  const running: number[] = [];
  forEachLive(a, (h, kind, off) => {
    if (kind === KIND_THREAD && Atomics.load(a.i32, (off >> 2) + STATE) === ThreadState.Running) running.push(h);
  });
  return running.sort((x, y) => x - y);
}

setDestroyer(KIND_THREAD, (a, off) => {
  const o = off >> 2;
  const name = a.i32[o + NAME_BLK];
  const out = a.i32[o + OUT_BLK];
  const outLen = a.i32[o + OUT_LEN];
  a.fit(name + 8);
  a.free(name);
  if (out !== 0) {
    a.fit(out + outLen);
    releaseItemHandles(a, out, outLen);
    a.free(out);
  }
});

export function sleep(a: Arena, ms: number): void {
  if (!(ms > 0)) return;
  const i32 = a.i32;
  const deadline = deadlineOf(ms);
  for (;;) {
    if (isInterrupted(i32)) throw interruptedError();
    if (!waitWord(i32, INTERRUPTED, 0, deadline)) return;
  }
}

let cachedTid: number | undefined;

export function osThreadId(): number {
  if (cachedTid === undefined) {
    cachedTid = -1;
    if (process.platform === 'linux') {
      try {
        const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
        if (m !== null) cachedTid = Number(m[1]);
      } catch {
        // No /proc (a sandbox, or Linux < 3.17): unknown.
      }
    }
  }
  return cachedTid;
}
