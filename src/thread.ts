/**
 * Thread: Python's `threading.Thread`, running a JS target on its own OS thread
 * (a worker isolate from the pool).
 *
 * What every isolate must see of a thread (name, daemon flag, state, OS thread
 * id, outcome) lives in a backend thread record, so a Thread is a handle like a
 * Lock: pass it to another thread and `join()` it there. What only the creating
 * isolate needs to start it (the target and its args) stays on the wrapper.
 *
 * A function target is shipped by its source text and compiled again in the
 * worker, so it cannot close over outer variables; its args cross as structured
 * clones (SharedArrayBuffers shared, handles revived as the same objects).
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { backend } from './backend/select.js';
import { ThreadState, type Handle } from './backend/types.js';
import { decode, encode, retainHandles, withPlaceholders } from './codec.js';
import { rebuildError, ThreadError, type ErrorRecord } from './errors.js';
import { brand, handleOf, kHandle, registerKind, track, wrapperFor } from './handles.js';
import { Pool, type RunMessage } from './pool.js';
import { shared } from './shared.js';
import { blocking } from './output.js';
import { reportFailure } from './excepthook.js';
import {
  checkArity, checkBoolean, checkOptions, checkResourceLimits, checkString, checkTimeout, FOREVER, typeError, type Millis,
} from './validate.js';
import { asyncOptions, kRetry, untilDone } from './waiting.js';

/** A module target: the module's `export` (default: the default export) is called with the args. */
export interface ModuleTarget {
  module: string | URL;
  export?: string;
}

/** Any function: `never[]` parameters accept every signature while keeping `Parameters<F>` exact. */
export type ThreadFunction = (...args: never[]) => unknown;

/** Node's Worker `resourceLimits`: a thread given any runs on an isolate of its own with them. */
export interface ResourceLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

export interface ThreadOptions<F extends ThreadFunction = ThreadFunction> {
  target: F | ModuleTarget;
  args?: Parameters<F> | unknown[];
  name?: string;
  daemon?: boolean;
  resourceLimits?: ResourceLimits;
}

type PreparedTarget = RunMessage['target'];

// --- names, the pool, the current thread ---------------------------------------

function nextName(prefix: string): string {
  return `${prefix}-${(backend.valueAdd(shared.counter, 1) as number) + 1}`;
}

const pool = new Pool(
  (record, code, outOfMemory) => {
    // The isolate died under a thread that did not finish (process.exit() in it,
    // its heap limit): joiners must not wait forever.
    // The record may be freed already (the thread finished long ago and nobody holds it).
    if (backend.kindOf(record) !== 'thread') return;
    const error = outOfMemory
      ? killedError(record)
      : { name: 'Error', message: `thread's isolate exited with code ${code}`, stack: undefined };
    // An isolate out of memory runs no JS, so its thread could not report itself.
    const send = outOfMemory ? reportFailure(record, rebuildError(error)) : undefined;
    if (backend.threadState(record) === ThreadState.Running) finishFailed(record, error);
    send?.();
  },
);

/** The outcome of a thread whose isolate its memory limit killed. */
export function killedError(record: Handle): ErrorRecord {
  const message = `thread '${backend.threadName(record)}' (ident ${record}) was killed by its memory limit: its isolate ran out of memory before the thread finished`;
  // No frame of the dead isolate is known, and one of whoever noticed would mislead.
  return { name: 'ThreadError', message, stack: `ThreadError: ${message}` };
}

/**
 * Stands for killedError(record) in the epitaph a worker leaves with the native
 * backend before each thread (worker-entry.ts): one set of bytes for every thread,
 * made once per isolate, instead of the thread's own message encoded before every
 * run (a backend call for its name and an encode, ~2.5 us). outcomeOf turns it
 * into the thread's message: every reader of an outcome goes through it.
 */
const KILLED_MARK = '\u0000native-threads: killed by its memory limit';
let killedMarkBytes: Uint8Array | undefined;

export function killedEpitaph(): Uint8Array {
  return (killedMarkBytes ??= encodeError({ name: 'ThreadError', message: KILLED_MARK, stack: undefined }));
}

/**
 * Whether the OS thread that ran `record` has ended, on Linux (elsewhere: not
 * known, false). A worker isolate keeps its OS thread for life, and a thread's
 * outcome is recorded before its isolate can end (normal end, process.exit());
 * so a Running record whose OS thread is gone lost its isolate to the heap limit.
 */
function osThreadGone(record: Handle): boolean {
  if (process.platform !== 'linux') return false;
  const id = backend.threadNativeId(record);
  return id > 0 && !existsSync(`/proc/self/task/${id}`);
}

/**
 * Done, or found dead now (and finished as killed). The native backend finishes
 * such a record itself as the isolate is torn down; the js backend cannot, and
 * the pool that would notice may be the caller, blocked in a join.
 */
function settled(record: Handle, lookAtOs = true): boolean {
  if (backend.threadJoin(record, 0)) return true;
  if (!lookAtOs || backend.threadState(record) !== ThreadState.Running || !osThreadGone(record)) return false;
  finishFailed(record, killedError(record));
  return true;
}

/**
 * isAlive() looks at the OS (a file-system call, ~8 µs) at most this often, so a
 * loop polling it stays cheap; a killed thread is still seen within this long.
 */
const OS_LOOK_EVERY_MS = 50;
let nextOsLook = 0;

function osLookDue(): boolean {
  const now = performance.now();
  if (now < nextOsLook) return false;
  nextOsLook = now + OS_LOOK_EVERY_MS;
  return true;
}

/** How often a blocked join looks whether the joined thread's OS thread still exists. */
const DEAD_CHECK_MS = 100;

/**
 * The last thread this isolate started on an awake worker (pool.ts): one that
 * took its run without being woken. A join of that thread first polls it for up
 * to JOIN_SPIN_MS, so a short thread is joined without putting the joiner to
 * sleep and waking it (tens of microseconds on a VM), and its finish finds nobody
 * to wake. That pays only while the worker runs on another CPU: one that shares
 * the joiner's (on this VM the scheduler often wakes the two onto one vCPU) cannot
 * run while the joiner spins. So a poll that did not see the thread end makes the
 * next 1, 3, 7 ... 63 such joins sleep at once, until a poll succeeds again.
 */
let hotRecord: Handle | undefined;
const JOIN_SPIN_MS = 0.05;
const MAX_SPIN_MISSES = 6;
let spinSkips = 0;
let spinMisses = 0;

/** The spin of a join of `record` (see hotRecord): true when the thread ended meanwhile. */
function joinSpin(record: Handle, deadline: number): boolean {
  if (record !== hotRecord) return false;
  hotRecord = undefined;
  if (spinSkips > 0) {
    spinSkips--;
    return false;
  }
  const until = Math.min(deadline, performance.now() + JOIN_SPIN_MS);
  do {
    if (backend.threadJoin(record, 0)) {
      spinMisses = 0;
      return true;
    }
  } while (performance.now() < until);
  spinMisses = Math.min(spinMisses + 1, MAX_SPIN_MISSES);
  spinSkips = (1 << spinMisses) - 1;
  return false;
}

function joinSliced(record: Handle, ms: Millis): boolean {
  const deadline = ms === FOREVER ? Infinity : performance.now() + ms;
  if (joinSpin(record, deadline)) return true;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (backend.threadJoin(record, Math.min(left, DEAD_CHECK_MS)) || settled(record)) return true;
  }
}

/** The record of the thread running in this isolate now (set by worker-entry.ts). */
let current: Handle | undefined = isMainThread ? shared.main : undefined;

export function setCurrentRecord(record: Handle | undefined): void {
  current = record;
}

/** Records a failure that no target code produced (the isolate died, the module did not load). */
export function finishFailed(record: Handle, error: ErrorRecord): void {
  backend.threadFinish(record, encodeError(error), true);
}


export function encodeError(error: ErrorRecord): Uint8Array {
  return encode({ name: error.name, message: error.message, stack: error.stack }, 'error');
}

/** Encodes a target's return value for its record; one that cannot be cloned becomes a TypeError. */
export function encodeOutcome(value: unknown): { data: Uint8Array; failed: boolean } {
  try {
    const data = encode(value, 'the return value');
    retainHandles(data);
    return { data, failed: false };
  } catch (error) {
    const e = error instanceof Error ? error : new TypeError(String(error));
    return { data: encodeError({ name: 'TypeError', message: e.message, stack: e.stack }), failed: true };
  }
}

// --- targets ---------------------------------------------------------------------

function prepareTarget(target: unknown): PreparedTarget | ModuleTarget {
  if (typeof target === 'function') {
    const source = Function.prototype.toString.call(target);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError('target must be a function defined in JavaScript source (a native or bound function cannot be shipped to a thread)');
    }
    if (/^class\b/.test(source)) throw new TypeError('target must be a function, got a class');
    return { kind: 'function', source };
  }
  if (target !== null && typeof target === 'object' && 'module' in target) {
    const raw = checkOptions(target, 'target', ['module', 'export']);
    if (typeof raw.module !== 'string' && !(raw.module instanceof URL)) {
      throw typeError('target.module', 'a path or URL string, or a URL', raw.module);
    }
    if (raw.export !== undefined) checkString(raw.export, 'target.export');
    return target as ModuleTarget;
  }
  throw typeError('target', 'a function or { module, export? }', target);
}

/** Resolves a module target against the caller's working directory; a missing file is a TypeError. */
function resolveModule(target: ModuleTarget): PreparedTarget {
  const spec = target.module;
  let url: URL;
  if (spec instanceof URL) url = spec;
  else if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(spec)) url = new URL(spec);
  else url = pathToFileURL(resolvePath(process.cwd(), spec));
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new TypeError(`target.module: no such file: ${fileURLToPath(url)}`);
  }
  return { kind: 'module', url: url.href, export: target.export ?? 'default' };
}

// --- Thread ------------------------------------------------------------------------

/**
 * What only the creating wrapper knows, until it starts the thread. Kept outside
 * the class because wrappers revived in other isolates are made without the
 * constructor (so they could not carry private fields).
 */
interface Pending {
  target: PreparedTarget | ModuleTarget;
  args: unknown[];
  resourceLimits: ResourceLimits | undefined;
}
const unstarted = new WeakMap<Thread, Pending>();
/**
 * Set by spawn() around its `new Thread`: the constructor then leaves its pending
 * start in `spawned` instead of registering the thread as unstarted.
 */
let spawning = false;
let spawned: Pending | undefined;
/**
 * Threads created here, not started yet, that will take a pool worker (not those
 * with resourceLimits); one dropped unstarted stops counting once collected.
 */
let unstartedCount = 0;
const droppedUnstarted = new FinalizationRegistry<undefined>(() => {
  unstartedCount--;
});
/** At most this many workers are booted ahead for threads not started yet. */
const EXPECT_MAX = 8;

/** Timers' delays, set by timer.ts: the Event that cancels one, and its interval. */
const timers = new WeakMap<Thread, { event: Handle; interval: number }>();

export function setTimerOf(thread: Thread, event: Handle, interval: number): void {
  timers.set(thread, { event, interval });
}

function checkJoinable(thread: Thread): void {
  const h = thread[kHandle];
  if (backend.threadState(h) === ThreadState.New) throw new ThreadError('cannot join thread before it is started');
  if (h === current) throw new ThreadError('cannot join current thread');
}

/** The outcome of a finished thread: its return value, or its error thrown here. */
function outcomeOf(thread: Thread): unknown {
  const outcome = backend.threadOutcome(thread[kHandle]);
  if (outcome === undefined) return undefined;
  const value = decode(outcome.data, false);
  if (outcome.failed) {
    const error = value as ErrorRecord;
    throw rebuildError(error.message === KILLED_MARK ? killedError(thread[kHandle]) : error);
  }
  return value;
}

/**
 * Starts `thread` (record `h`, New) with what its constructor prepared. `ownArgs`:
 * `pending.args` is a plain array made by this module (spawn's rest parameter),
 * so when empty it has nothing to replace and nothing that could fail to clone.
 */
function launch(thread: Thread, h: Handle, pending: Pending, ownArgs: boolean): void {
  const target = 'kind' in pending.target ? pending.target : resolveModule(pending.target);
  const argHandles: Handle[] = [];
  let args = pending.args;
  if (!ownArgs || args.length > 0) {
    args = withPlaceholders(args, argHandles) as unknown[];
    try {
      structuredClone(args); // what postMessage will do: fail here, before anything runs
    } catch (error) {
      throw new TypeError(`args cannot cross threads: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  // Each handle in flight owns a reference until the thread adopts it.
  for (const id of argHandles) backend.retain(id);
  const message: RunMessage = { type: 'run', record: h, target };
  if (args.length > 0) message.args = args;
  if (argHandles.length > 0) message.argHandles = argHandles;
  const timer = timers.get(thread);
  if (timer !== undefined) {
    message.timer = timer;
    backend.retain(timer.event); // owned by the message until the thread adopts it
  }
  try {
    const awake = pool.run(message, backend.threadDaemon(h), (nativeId) => backend.threadMarkRunning(h, nativeId), pending.resourceLimits);
    hotRecord = awake ? h : undefined;
  } catch (error) {
    for (const id of argHandles) backend.release(id);
    if (timer !== undefined) backend.release(timer.event);
    throw error;
  }
}

export class Thread {
  declare readonly [kHandle]: Handle;

  constructor(options: ThreadOptions) {
    // Taken at once: code run by the checks below (a Proxy's traps) sees it false.
    const direct = spawning;
    spawning = false;
    checkArity(arguments.length, 1, 'new Thread()');
    const raw = checkOptions(options, 'options', ['target', 'args', 'name', 'daemon', 'resourceLimits']);
    if (options === undefined) {
      throw new TypeError('new Thread() needs options: { target, args?, name?, daemon?, resourceLimits? }');
    }
    const target = prepareTarget(raw.target);
    const args = raw.args === undefined ? [] : raw.args;
    if (!Array.isArray(args)) throw typeError('args', 'an array', args);
    const name = raw.name === undefined ? undefined : checkString(raw.name, 'name');
    const daemon = raw.daemon === undefined ? backend.threadDaemon(currentRecord()) : checkBoolean(raw.daemon, 'daemon');
    const resourceLimits = checkResourceLimits(raw.resourceLimits, 'resourceLimits');
    Object.defineProperty(this, kHandle, { value: backend.threadNew(name ?? nextName('Thread'), daemon) });
    track(this);
    const pending: Pending = { target, args, resourceLimits };
    if (direct) {
      // spawn() starts it at once: no need to count it among the unstarted.
      spawned = pending;
      return;
    }
    unstarted.set(this, pending);
    if (resourceLimits === undefined) {
      droppedUnstarted.register(this, undefined, this);
      pool.expect(Math.min(++unstartedCount, EXPECT_MAX));
    }
  }

  get name(): string {
    return backend.threadName(handleOf(this, Thread));
  }

  set name(name: string) {
    backend.threadSetName(handleOf(this, Thread), checkString(name, 'name'));
  }

  get daemon(): boolean {
    return backend.threadDaemon(handleOf(this, Thread));
  }

  /** @throws ThreadError once the thread has started. */
  set daemon(daemon: boolean) {
    checkBoolean(daemon, 'daemon');
    if (backend.threadState(handleOf(this, Thread)) !== ThreadState.New) {
      throw new ThreadError('cannot set daemon status of active thread');
    }
    backend.threadSetDaemon(handleOf(this, Thread), daemon);
  }

  /** A number unique among live threads once started; undefined before. */
  get ident(): number | undefined {
    const h = handleOf(this, Thread);
    return backend.threadState(h) === ThreadState.New ? undefined : h;
  }

  /** The OS thread id (gettid on Linux) once started; undefined before. */
  get nativeId(): number | undefined {
    const h = handleOf(this, Thread);
    if (backend.threadState(h) === ThreadState.New) return undefined;
    const id = backend.threadNativeId(h);
    return id < 0 ? undefined : id;
  }

  isAlive(): boolean {
    const h = handleOf(this, Thread);
    return backend.threadState(h) === ThreadState.Running && !settled(h, osLookDue());
  }

  /**
   * Starts the thread; returns once it is running (so `ident` and `nativeId` are set).
   * @throws ThreadError when started twice. TypeError when the args cannot cross threads
   * or a module target's file does not exist.
   */
  start(): this {
    checkArity(arguments.length, 0, 'start');
    const h = handleOf(this, Thread);
    if (backend.threadState(h) !== ThreadState.New) throw new ThreadError('threads can only be started once');
    const pending = unstarted.get(this);
    if (pending === undefined) throw new ThreadError('a thread can only be started from the thread that created it');
    launch(this, h, pending, false);
    unstarted.delete(this);
    if (pending.resourceLimits === undefined) {
      droppedUnstarted.unregister(this);
      unstartedCount--;
    }
    return this;
  }

  /**
   * Blocks until the thread ends; returns what its target returned, or throws what
   * it threw. With `timeout` (ms), returns undefined if it is still alive then.
   */
  join(timeout?: number): unknown {
    checkArity(arguments.length, 1, 'join');
    const ms = checkTimeout(timeout, 'timeout');
    const h = handleOf(this, Thread);
    checkJoinable(this);
    // The OS is asked only once a wait slice has passed (joinSliced): a thread that
    // ends normally is joined without that file-system call.
    const done = settled(h, ms === 0) || (ms !== 0 && blocking(() => joinSliced(h, ms)));
    if (!done) return undefined;
    return outcomeOf(this);
  }

  /** The async twin of `join`: resolves with the return value, or undefined on timeout. */
  joinAsync(options?: { timeout?: number; signal?: AbortSignal }): Promise<unknown> {
    try {
      checkArity(arguments.length, 1, 'joinAsync');
      const opts = asyncOptions(options);
      checkJoinable(this);
      const h = handleOf(this, Thread);
      return untilDone(h, () => (settled(h) ? outcomeOf(this) : kRetry), opts, () => undefined, DEAD_CHECK_MS);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  toString(): string {
    const state = ['initial', 'started', 'stopped'][backend.threadState(handleOf(this, Thread))];
    return `<Thread(${this.name}, ${state}${this.daemon ? ' daemon' : ''})>`;
  }
}

brand(Thread);

registerKind('thread', (h) => {
  const thread = Object.create(Thread.prototype) as Thread;
  Object.defineProperty(thread, kHandle, { value: h });
  return thread;
});

/** Creates and starts a thread running `target(...args)`. */
export function spawn<F extends ThreadFunction>(target: F | ModuleTarget, ...args: Parameters<F> | unknown[]): Thread {
  spawning = true;
  spawned = undefined;
  const thread = new Thread({ target, args });
  const pending = spawned as Pending | undefined;
  spawned = undefined;
  if (pending === undefined) throw new ThreadError('spawn: the thread was not prepared'); // unreachable
  // `args` is a rest parameter: a plain array of our own.
  launch(thread, thread[kHandle], pending, true);
  return thread;
}

/** The calling thread's record: what owns the RLocks it takes. */
export function currentRecord(): Handle {
  if (current === undefined) {
    // An isolate this package did not start (a Worker of the user's own): like
    // Python's _DummyThread, give it a record of its own.
    current = backend.threadNew(nextName('Dummy'), true);
    backend.threadMarkRunning(current, backend.osThreadId());
  }
  return current;
}

/** The Thread object of the calling thread. */
export function currentThread(): Thread {
  return wrapperFor(currentRecord(), false) as Thread;
}

export function mainThread(): Thread {
  return wrapperFor(shared.main, false) as Thread;
}

/** Every alive thread of the process, the main thread included. */
export function enumerate(): Thread[] {
  return backend.threadsRunning().flatMap((h) => {
    try {
      return [wrapperFor(h, false) as Thread];
    } catch {
      return []; // finished and freed between the listing and now
    }
  });
}

export function activeCount(): number {
  return enumerate().length;
}

export function getIdent(): number {
  return currentThread().ident as number;
}

export function getNativeId(): number {
  return backend.osThreadId();
}

/** Starts idle worker isolates so that the next `n` thread starts need not wait for one. */
export function prestart(n: number): Promise<void> {
  try {
    checkArity(arguments.length, 1, 'prestart');
    if (typeof n !== 'number') throw typeError('n', 'an integer', n);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
    return pool.prestart(n);
  } catch (error) {
    return Promise.reject(error);
  }
}

