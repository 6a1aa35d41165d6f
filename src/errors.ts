/**
 * The package's own error classes, named as Python names them. Each sets `name`
 * to the class name so that an error that crosses threads (by name, message and
 * stack) can be rebuilt as an instance of the receiving thread's class.
 */

/** Raised by a non-blocking or timed-out `get`: the queue was empty. */
export class Empty extends Error {
  constructor(message = 'queue is empty', options?: ErrorOptions) {
    super(message, options);
    this.name = 'Empty';
  }
}

/** Raised by a non-blocking or timed-out `put`: the queue was full. */
export class Full extends Error {
  constructor(message = 'queue is full', options?: ErrorOptions) {
    super(message, options);
    this.name = 'Full';
  }
}

/** Raised by `put` on a shut-down queue, and by `get` on one that is shut down and empty. */
export class ShutDown extends Error {
  constructor(message = 'queue is shut down', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ShutDown';
  }
}

/** Raised by a wait on a broken `Barrier`. */
export class BrokenBarrierError extends Error {
  constructor(message = 'barrier is broken', options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokenBarrierError';
  }
}

/** Misuse of a thread or lock: start twice, join before start, release an unlocked lock. */
export class ThreadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ThreadError';
  }
}

type ErrorClass = new (message?: string) => Error;

/** Classes an error can be rebuilt as after crossing threads, by `name`. */
const rebuildable: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  Empty,
  Full,
  ShutDown,
  BrokenBarrierError,
  ThreadError: ThreadError as ErrorClass,
};

/** What of an error crosses threads. */
export interface ErrorRecord {
  name: string;
  message: string;
  stack: string | undefined;
}

export function errorRecord(error: unknown): ErrorRecord {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: 'Error', message: `non-error thrown: ${String(error)}`, stack: undefined };
}

/** An instance of this isolate's class of the same name (or an Error with that name). */
export function rebuildError(record: ErrorRecord): Error {
  const Class = Object.hasOwn(rebuildable, record.name) ? rebuildable[record.name] : Error;
  const error = new Class(record.message);
  if (error.name !== record.name) error.name = record.name;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
