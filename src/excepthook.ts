/**
 * What happens to an exception that escapes a thread's target: Python's
 * `threading.excepthook`.
 *
 * The default prints `Exception in thread NAME:` and the stack to stderr from the
 * failing thread, before the thread ends (so the report is never lost to an exit
 * that follows a join). `setExcepthook(fn)` replaces it process-wide; `fn` runs in
 * the thread that set it, from its event loop: failing threads send their failure
 * through a process-wide queue (shared.ts), which that thread watches.
 */
import { writeSync } from 'node:fs';
import { backend } from './backend/select.js';
import { ThreadState, type Handle } from './backend/types.js';
import { decode, encode, retainHandles } from './codec.js';
import { errorRecord, rebuildError, type ErrorRecord } from './errors.js';
import { wrapperFor } from './handles.js';
import { shared } from './shared.js';
import { currentRecord, type Thread } from './thread.js';
import { checkArity, typeError } from './validate.js';

export interface ExceptHookArgs {
  /** The error, rebuilt in this thread (same name, message and stack). */
  error: Error;
  /** The thread whose target threw; it has ended. */
  thread: Thread;
}

export type ExceptHook = (args: ExceptHookArgs) => void;

interface Failure {
  thread: Thread;
  error: ErrorRecord;
}

/** This isolate's hook, when it is the process's hook. */
let hook: ExceptHook | undefined;
let watchId = 0;

function stack(error: ErrorRecord): string {
  return error.stack ?? `${error.name}: ${error.message}`;
}

function defaultReport(threadName: string, error: ErrorRecord): void {
  writeSync(2, `Exception in thread ${threadName}:\n${stack(error)}\n`);
}

function hookOwner(): Handle {
  const owner = backend.valueGet(shared.hookOwner) as number;
  // A hook set by a thread that has since ended cannot run: fall back to the default.
  return owner !== 0 && backend.threadState(owner) === ThreadState.Running ? owner : 0;
}

/** Runs our hook on every failure queued for it, then watches for more. */
function drain(): void {
  watchId = 0;
  const h = shared.hookQueue;
  for (;;) {
    const seen = backend.epoch(h);
    const item = backend.queueGet(h, 0);
    if (typeof item !== 'number') {
      dispatch(decode(item, true) as Failure);
      continue;
    }
    if (hook === undefined) return;
    watchId = backend.watch(h, seen, drain);
    if (watchId !== 0) return;
  }
}

function dispatch(failure: Failure): void {
  if (hook === undefined) {
    defaultReport(failure.thread.name, failure.error);
    return;
  }
  try {
    hook({ error: rebuildError(failure.error), thread: failure.thread });
  } catch (error) {
    const record = errorRecord(error);
    writeSync(2, `Exception in threading.excepthook:\n${stack(record)}\n`);
  }
}

/**
 * Replaces the excepthook, process-wide; `null` restores the default. Returns the
 * previous hook when it was set from this thread, else null.
 */
export function setExcepthook(fn: ExceptHook | null): ExceptHook | null {
  checkArity(arguments.length, 1, 'setExcepthook');
  if (fn !== null && typeof fn !== 'function') throw typeError('hook', 'a function or null', fn);
  const me = currentRecord();
  const previous = hookOwner() === me && hook !== undefined ? hook : null;
  if (fn === null) {
    if (hookOwner() === me) backend.valueSet(shared.hookOwner, 0);
    hook = undefined;
    if (watchId !== 0) backend.unwatch(watchId);
    watchId = 0;
    drain(); // what was already sent here gets the default report
  } else {
    hook = fn;
    backend.valueSet(shared.hookOwner, me);
    if (watchId === 0) drain();
  }
  return previous;
}

/**
 * Reports a failure in the failing thread, before its record is finished: prints
 * the default report, or returns a send() for after the finish when a hook is set.
 */
export function reportFailure(record: Handle, error: unknown): (() => void) | undefined {
  const failure = errorRecord(error);
  if (hookOwner() === 0) {
    defaultReport(backend.threadName(record), failure);
    return undefined;
  }
  return () => {
    const bytes = encode({ thread: wrapperFor(record, false), error: failure }, 'error');
    retainHandles(bytes);
    backend.queuePut(shared.hookQueue, bytes, 0);
  };
}
