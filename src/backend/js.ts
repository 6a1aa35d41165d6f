/**
 * The pure-TypeScript backend: every shared object lives in one growable
 * SharedArrayBuffer (js/arena.ts) that the first isolate creates and every worker
 * attaches to, so a handle (js/registry.ts) names the same memory in every
 * isolate. This file only maps the Backend interface (types.ts) onto the modules
 * of js/, one per primitive, with the same stems as the Rust crate.
 *
 * Blocking calls use Atomics.wait on the object's epoch word (js/notify.ts), which
 * blocks the calling OS thread only; on the main thread that is what the caller
 * asked for (Node allows Atomics.wait there).
 */
import type {
  Backend,
  CondWait,
  Handle,
  ObjectKind,
  QueueFlavor,
  RlockRelease,
  RLockWords,
  ThreadOutcome,
  ThreadState,
  ValueType,
  ValueView,
  WordRef,
} from './types.js';
import { GetStatus, PutStatus } from './types.js';
import { Arena } from './js/arena.js';
import { KIND_NAMES, kindOf, liveObjects, release, retain } from './js/registry.js';
import { epoch, interruptAll, unwatch, watch } from './js/notify.js';
import { lockAcquire, lockLocked, lockNew, lockRelease, lockWord, wordAcquire, wordRelease } from './js/lock.js';
import { valueAdd, valueCompareExchange, valueGet, valueNew, valueSet, valueType, valueView } from './js/value.js';
import {
  queueGet,
  queueIsShutDown,
  queueJoin,
  queueMaxsize,
  queueNew,
  queuePut,
  queueShutdown,
  queueSize,
  queueTaskDone,
} from './js/queue.js';
import {
  rlockAcquire,
  rlockAcquireCount,
  rlockIsOwned,
  rlockOwner,
  rlockLocked,
  rlockNew,
  rlockRelease,
  rlockReleaseAll,
  rlockWords,
} from './js/rlock.js';
import {
  condCancel,
  condNew,
  condNotify,
  condNotifyAll,
  condPoll,
  condRegister,
  condWait,
  condWaiting,
} from './js/condition.js';
import { semAcquire, semNew, semRelease, semValue } from './js/semaphore.js';
import { eventClear, eventIsSet, eventNew, eventSet, eventWait, eventWaitSince, eventWord, wordClear as eventWordClear, wordSet as eventWordSet } from './js/event.js';
import {
  barrierAbort,
  barrierArrive,
  barrierBroken,
  barrierCancel,
  barrierNew,
  barrierNWaiting,
  barrierParties,
  barrierReset,
  barrierWait,
} from './js/barrier.js';
import {
  osThreadId,
  sleep,
  threadDaemon,
  threadFinish,
  threadJoin,
  threadMarkRunning,
  threadName,
  threadNativeId,
  threadNew,
  threadOutcome,
  threadSetDaemon,
  threadSetName,
  threadsRunning,
  threadState,
} from './js/thread.js';

class JsBackend implements Backend {
  readonly name = 'js' as const;
  private readonly a: Arena;

  constructor(a: Arena) {
    this.a = a;
  }

  workerData(): unknown {
    return this.a.sab;
  }

  retain(h: Handle): void {
    retain(this.a, h);
  }
  release(h: Handle): void {
    release(this.a, h);
  }
  kindOf(h: Handle): ObjectKind | undefined {
    return KIND_NAMES[kindOf(this.a, h)];
  }
  liveObjects(): number {
    return liveObjects(this.a);
  }

  epoch(h: Handle): number {
    return epoch(this.a, h);
  }
  watch(h: Handle, seen: number, onChange: () => void): number {
    return watch(this.a, h, seen, onChange);
  }
  unwatch(watchId: number): void {
    unwatch(watchId);
  }

  sleep(ms: number): void {
    sleep(this.a, ms);
  }
  osThreadId(): number {
    return osThreadId();
  }
  interruptAll(): void {
    interruptAll(this.a);
  }

  lockNew(): Handle {
    return lockNew(this.a);
  }
  lockAcquire(h: Handle, timeoutMs: number): boolean {
    return lockAcquire(this.a, h, timeoutMs);
  }
  lockRelease(h: Handle): boolean {
    return lockRelease(this.a, h);
  }
  lockLocked(h: Handle): boolean {
    return lockLocked(this.a, h);
  }
  lockWord(h: Handle): WordRef {
    return lockWord(this.a, h);
  }
  lockWordAcquire(words: Int32Array, index: number): boolean {
    return wordAcquire(words, index, 0);
  }
  lockWordRelease(words: Int32Array, index: number): boolean {
    return wordRelease(words, index);
  }
  lockMarkWaiting(): boolean {
    return true; // every release moves the word, which is the epoch
  }

  valueNew(type: ValueType, initial: number | bigint): Handle {
    return valueNew(this.a, type, initial);
  }
  valueType(h: Handle): ValueType {
    return valueType(this.a, h);
  }
  valueGet(h: Handle): number | bigint {
    return valueGet(this.a, h);
  }
  valueSet(h: Handle, v: number | bigint): void {
    valueSet(this.a, h, v);
  }
  valueAdd(h: Handle, n: number | bigint): number | bigint {
    return valueAdd(this.a, h, n);
  }
  valueCompareExchange(h: Handle, expected: number | bigint, replacement: number | bigint): number | bigint {
    return valueCompareExchange(this.a, h, expected, replacement);
  }
  valueView(h: Handle): ValueView {
    return valueView(this.a, h);
  }

  queueNew(maxsize: number, flavor: QueueFlavor): Handle {
    return queueNew(this.a, maxsize, flavor);
  }
  queueMaxsize(h: Handle): number {
    return queueMaxsize(this.a, h);
  }
  queuePut(h: Handle, item: Uint8Array, timeoutMs: number, key?: Uint8Array): PutStatus {
    return queuePut(this.a, h, item, timeoutMs, key);
  }
  queueGet(h: Handle, timeoutMs: number, into?: Uint8Array): Uint8Array | GetStatus {
    return queueGet(this.a, h, timeoutMs, into);
  }
  /** No lane: this backend's queues already live in memory every isolate maps (js/queue.ts). */
  queueLane(): undefined {
    return undefined;
  }
  queueSize(h: Handle): number {
    return queueSize(this.a, h);
  }
  queueTaskDone(h: Handle): boolean {
    return queueTaskDone(this.a, h);
  }
  queueJoin(h: Handle, timeoutMs: number): boolean {
    return queueJoin(this.a, h, timeoutMs);
  }
  queueShutdown(h: Handle, immediate: boolean): void {
    queueShutdown(this.a, h, immediate);
  }
  queueIsShutDown(h: Handle): boolean {
    return queueIsShutDown(this.a, h);
  }

  rlockNew(): Handle {
    return rlockNew(this.a);
  }
  rlockAcquire(h: Handle, owner: Handle, timeoutMs: number): boolean {
    return rlockAcquire(this.a, h, owner, timeoutMs);
  }
  rlockRelease(h: Handle, owner: Handle): RlockRelease {
    return rlockRelease(this.a, h, owner);
  }
  rlockLocked(h: Handle): boolean {
    return rlockLocked(this.a, h);
  }
  rlockIsOwned(h: Handle, owner: Handle): boolean {
    return rlockIsOwned(this.a, h, owner);
  }
  rlockOwner(h: Handle): Handle {
    return rlockOwner(this.a, h);
  }
  rlockReleaseAll(h: Handle, owner: Handle): number {
    return rlockReleaseAll(this.a, h, owner);
  }
  rlockAcquireCount(h: Handle, owner: Handle, count: number, timeoutMs: number): boolean {
    return rlockAcquireCount(this.a, h, owner, count, timeoutMs);
  }
  rlockWords(h: Handle): RLockWords {
    return rlockWords(this.a, h);
  }
  rlockMarkWaiting(): boolean {
    return true; // every release that frees it moves the word, which is the epoch
  }

  condNew(): Handle {
    return condNew(this.a);
  }
  condRegister(h: Handle): number {
    return condRegister(this.a, h);
  }
  condWait(h: Handle, ticket: number, timeoutMs: number): CondWait {
    return condWait(this.a, h, ticket, timeoutMs);
  }
  condPoll(h: Handle, ticket: number): boolean {
    return condPoll(this.a, h, ticket);
  }
  condCancel(h: Handle, ticket: number): boolean {
    return condCancel(this.a, h, ticket);
  }
  condNotify(h: Handle, n: number): number {
    return condNotify(this.a, h, n);
  }
  condNotifyAll(h: Handle): number {
    return condNotifyAll(this.a, h);
  }
  condWaiting(h: Handle): number {
    return condWaiting(this.a, h);
  }

  semNew(value: number, bound: number): Handle {
    return semNew(this.a, value, bound);
  }
  semAcquire(h: Handle, timeoutMs: number): boolean {
    return semAcquire(this.a, h, timeoutMs);
  }
  semRelease(h: Handle, n: number): boolean {
    return semRelease(this.a, h, n);
  }
  semValue(h: Handle): number {
    return semValue(this.a, h);
  }

  eventNew(): Handle {
    return eventNew(this.a);
  }
  eventIsSet(h: Handle): boolean {
    return eventIsSet(this.a, h);
  }
  eventSet(h: Handle): void {
    eventSet(this.a, h);
  }
  eventClear(h: Handle): void {
    eventClear(this.a, h);
  }
  eventWait(h: Handle, timeoutMs: number): boolean {
    return eventWait(this.a, h, timeoutMs);
  }
  eventWord(h: Handle): WordRef {
    return eventWord(this.a, h);
  }
  eventWordSet(words: Int32Array, index: number): boolean {
    eventWordSet(words, index);
    return true;
  }
  eventWordClear(words: Int32Array, index: number): void {
    eventWordClear(words, index);
  }
  eventMarkWatched(): void {
    // every set moves the word, which is the epoch
  }
  eventWaitSince(h: Handle, seenWord: number, timeoutMs: number): boolean {
    return eventWaitSince(this.a, h, seenWord, timeoutMs);
  }

  barrierNew(parties: number): Handle {
    return barrierNew(this.a, parties);
  }
  barrierParties(h: Handle): number {
    return barrierParties(this.a, h);
  }
  barrierNWaiting(h: Handle): number {
    return barrierNWaiting(this.a, h);
  }
  barrierBroken(h: Handle): boolean {
    return barrierBroken(this.a, h);
  }
  barrierArrive(h: Handle, timeoutMs: number): number {
    return barrierArrive(this.a, h, timeoutMs);
  }
  barrierWait(h: Handle, ticket: number, timeoutMs: number): number {
    return barrierWait(this.a, h, ticket, timeoutMs);
  }
  barrierCancel(h: Handle, ticket: number): number {
    return barrierCancel(this.a, h, ticket);
  }
  barrierAbort(h: Handle): void {
    barrierAbort(this.a, h);
  }
  barrierReset(h: Handle): void {
    barrierReset(this.a, h);
  }

  threadNew(name: string, daemon: boolean): Handle {
    return threadNew(this.a, name, daemon);
  }
  threadName(h: Handle): string {
    return threadName(this.a, h);
  }
  threadSetName(h: Handle, name: string): void {
    threadSetName(this.a, h, name);
  }
  threadDaemon(h: Handle): boolean {
    return threadDaemon(this.a, h);
  }
  threadSetDaemon(h: Handle, daemon: boolean): void {
    threadSetDaemon(this.a, h, daemon);
  }
  threadState(h: Handle): ThreadState {
    return threadState(this.a, h);
  }
  threadMarkRunning(h: Handle, nativeId: number): void {
    threadMarkRunning(this.a, h, nativeId);
  }
  threadNativeId(h: Handle): number {
    return threadNativeId(this.a, h);
  }
  threadFinish(h: Handle, data: Uint8Array, failed: boolean): void {
    threadFinish(this.a, h, data, failed);
  }
  threadSetEpitaph(): void {
    // Nothing runs when a worker isolate is torn down here: thread.ts has joiners
    // look for the record's OS thread instead.
  }
  threadClearEpitaph(): void {}
  threadJoin(h: Handle, timeoutMs: number): boolean {
    return threadJoin(this.a, h, timeoutMs);
  }
  threadOutcome(h: Handle): ThreadOutcome | undefined {
    return threadOutcome(this.a, h);
  }
  threadsRunning(): Handle[] {
    return threadsRunning(this.a);
  }
}

/**
 * `undefined`: this is the first isolate, create the shared state. Otherwise
 * `workerData` is what another isolate's `workerData()` returned (the arena's
 * SharedArrayBuffer): attach to it.
 */
export function createJsBackend(workerData: unknown): Backend {
  return new JsBackend(workerData === undefined ? Arena.create() : Arena.attach(workerData));
}
