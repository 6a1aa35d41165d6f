/**
 * The few backend objects that the whole process shares and every isolate must
 * find: created once by the main isolate, handed to pool workers in `workerData`.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';

export interface SharedIds {
  /** The main thread's record. */
  main: Handle;
  /** A u32 Value counting default names (Thread-N), process-wide as in Python. */
  counter: Handle;
  /** An f64 Value: until when (ms, wall clock) other threads' output yields to the main thread (output.ts). */
  mainTurn: Handle;
  /** A u32 Value: the record of the thread whose excepthook is set, 0 for the default (excepthook.ts). */
  hookOwner: Handle;
  /** A Queue of failures on their way to that thread's hook. */
  hookQueue: Handle;
}

function fromPoolWorker(): SharedIds | undefined {
  if (isMainThread || workerData === null || typeof workerData !== 'object') return undefined;
  const nt = (workerData as Record<string, unknown>).nt as { ids?: SharedIds } | undefined;
  return nt?.ids;
}

function create(): SharedIds {
  const main = backend.threadNew('MainThread', false);
  backend.threadMarkRunning(main, backend.osThreadId());
  return {
    main,
    counter: backend.valueNew('u32', 0),
    mainTurn: backend.valueNew('f64', 0),
    hookOwner: backend.valueNew('u32', 0),
    hookQueue: backend.queueNew(0, 'fifo'),
  };
}

export const shared: SharedIds = fromPoolWorker() ?? create();
