/**
 * native-threads: Python's `threading` and `queue` for Node.js.
 * This file only gathers the public API; each primitive lives in its own module.
 */
import { isMainThread } from 'node:worker_threads';
import { backend as chosen } from './backend/select.js';
import { stopWorkersAtExit } from './pool.js';

export { Thread, spawn, currentThread, mainThread, enumerate, activeCount, getIdent, getNativeId, prestart } from './thread.js';
export type { ThreadOptions, ModuleTarget, ResourceLimits, ThreadFunction } from './thread.js';
export { Timer } from './timer.js';
export { setExcepthook } from './excepthook.js';
export type { ExceptHook, ExceptHookArgs } from './excepthook.js';
export { Lock } from './lock.js';
export type { AcquireOptions } from './lock.js';
export { RLock } from './rlock.js';
export { Condition } from './condition.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export { Event } from './event.js';
export { Barrier } from './barrier.js';
export { Value } from './value.js';
export { Queue, LifoQueue, PriorityQueue, SimpleQueue } from './queue.js';
export type { PutGetOptions, QueueAsyncOptions } from './queue.js';
export { Guard } from './guard.js';
export { print, sleep } from './output.js';
export { Empty, Full, ShutDown, BrokenBarrierError, ThreadError } from './errors.js';
export { native } from './kernels.js';
export type { ValueType } from './backend/types.js';

/** Which backend this process runs on: 'native' (the Rust addon) or 'js' (SharedArrayBuffer + Atomics). */
export const backend: 'native' | 'js' = chosen.name;

if (isMainThread) {
  // At exit Node stops every worker and waits for its OS thread. A daemon thread
  // parked in a backend wait would never notice, so wake every wait first.
  process.on('exit', () => {
    chosen.interruptAll();
    stopWorkersAtExit();
  });
}
