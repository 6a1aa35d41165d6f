/**
 * The pool of warm worker isolates that threads run on. Starting a fresh Worker
 * costs tens of milliseconds; a warm one takes a thread in microseconds.
 *
 * Each isolate that starts threads has its own pool. A pool worker runs one
 * thread at a time. It is ref'd (holds the process open) only while it runs a
 * non-daemon thread, so idle workers and daemon threads never keep the process
 * alive; at exit Node terminates them (see index.ts for the native backend's
 * part: waking threads parked in Rust).
 *
 * A worker's state lives in control words it shares with its pool, so the pool
 * can see that a worker has finished a thread, and reuse it, even while the
 * pool's own event loop is blocked (in a join, say) and the worker's `done`
 * message waits unread. State table (Control.State):
 *
 *   Booting 0 → Idle 1      the worker, once its modules are loaded (with NativeId set)
 *   Booting 0 → Failed 3    the worker, if its boot failed
 *   Idle 1    → Busy 2      the pool, claiming it for a thread (compareExchange)
 *   Busy 2    → Idle 1      the worker, after it recorded the thread's outcome
 *
 * Python's start() returns with `native_id` set, so a start that finds no idle
 * worker blocks until one is: a worker that finishes its thread or one that
 * boots, whichever comes first (every worker bumps its pool's Ready word when it
 * becomes idle). It also keeps two workers booting meanwhile, so that a burst of
 * starts (the seed's two racing threads) boot in parallel. Ten short threads
 * started at once on two warm workers thus run on those two, in milliseconds,
 * instead of waiting ~400 ms for eight more isolates to boot.
 *
 * A thread with resourceLimits runs on a worker of its own, booted with them for
 * that thread and ended after it: the warm workers have none, and an isolate
 * cannot change its limits.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { backendWorkerData, kBackendKey } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { linkForWorker, startVault, type VaultLink } from './buffers.js';
import { Tag } from './frame.js';
import { shared, type SharedIds } from './shared.js';

/** Indexes of a pool worker's control words (Int32Array). */
const enum Control {
  State = 0,
  /** The worker's OS thread id, valid once booted. */
  NativeId = 1,
  /** Counts the runs given to the worker, so a late `done` message is recognised. */
  Runs = 2,
  /** Counts the run messages posted to the worker, bumped after each is in its port (see lingering). */
  Posted = 3,
  /**
   * 1 from the moment the worker takes a run until it goes back to its event
   * loop after it, lingering or not (worker-entry.ts): an idle worker with Awake
   * set is on a CPU and sees a run posted without being woken.
   */
  Awake = 4,
  /** 1 while a mailed run waits in the mailbox; the worker sets 0 as it takes it (see the mailbox). */
  Mail = 5,
  Length = 6,
}

const enum WorkerState {
  Booting = 0,
  Idle = 1,
  Busy = 2,
  Failed = 3,
}

/** Indexes of a pool's shared words (Int32Array), which all its workers hold. */
const enum PoolWord {
  /** Bumped (and notified, when a start waits) each time a worker becomes idle. */
  Ready = 0,
  /** Starts blocked waiting for Ready to move. */
  Waiting = 1,
  Length = 2,
}

const BOOT_TIMEOUT_MS = 30_000;
/** How long a start with every worker busy waits for one to finish before it boots more. */
const BUSY_GRACE_MS = 1;

/*
 * The mailbox: a run handed to an awake worker (Control.Awake) in shared memory
 * instead of a message. Measured alone here, a post to a worker spinning for its
 * next run took 4-8 µs from the post to the worker holding the message (a
 * structured clone each way, and the port's queue, which both sides lock), on a
 * spawn+join of 15-40 µs. Only a function target with no timer goes by mail,
 * when its source fits and its args are primitives (numbers, strings, booleans,
 * null, undefined) that fit: those cross the same either way. Objects keep the
 * structured clone's rules (shared SharedArrayBuffers, handles, ...) by going as
 * they did, posted, with every other run.
 *
 * Layout (`PoolWorkerData.mailbox`): the record (f64) at byte 0; the source's
 * length (i32) at byte 8, or SAME_SOURCE for the source of the last mailed run;
 * the args' count (i32) at byte 12; the source's UTF-16 code units from byte 16;
 * the args from ARGS_AT, each a tag byte (the codec's Tag) and, for a number, its
 * f64, for a string, its length (u32) and UTF-16 code units. The data is written
 * before Control.Mail is set to 1, and read after the worker sees it set.
 *
 * Handshake: the pool mails only to a worker it saw awake. It writes the mail,
 * bumps Posted, then reads Awake again. A worker stops being awake by setting
 * Awake to 0 and then reading Posted. Every access is sequentially consistent,
 * so at least one side sees the other: the worker sees Posted ahead and takes
 * the mail, or the pool sees Awake at 0 and posts a nudge ({ type: 'mail' }) that
 * makes the worker's event loop look. A nudge that finds the mailbox empty (its
 * mail already taken) is dropped.
 */
const MAIL_HEADER_BYTES = 16;
/** The longest source that goes by mail, in UTF-16 code units. */
const MAIL_SOURCE_MAX = 2048;
const ARGS_AT = MAIL_HEADER_BYTES + 2 * MAIL_SOURCE_MAX;
/** Room for the args, in bytes. */
const MAIL_ARGS_BYTES = 1024;
const SAME_SOURCE = -1;

/** Nudge: a mail may be waiting, and its worker was not watching. */
export interface MailNudge {
  type: 'mail';
}

/** A worker's mailbox, from either side: the pool writes runs, the worker takes them. */
export class Mailbox {
  readonly buffer: SharedArrayBuffer;
  readonly #control: Int32Array;
  readonly #record: Float64Array;
  /** The source's length and the args' count. */
  readonly #counts: Int32Array;
  readonly #units: Uint16Array;
  readonly #args: DataView;
  /** The source of the last mailed run, which both sides keep. */
  #lastSource: string | undefined;

  /** A new mailbox, or (in the worker) the view of its pool's `buffer`. */
  constructor(control: Int32Array, buffer = new SharedArrayBuffer(ARGS_AT + MAIL_ARGS_BYTES)) {
    this.buffer = buffer;
    this.#control = control;
    this.#record = new Float64Array(buffer, 0, 1);
    this.#counts = new Int32Array(buffer, 8, 2);
    this.#units = new Uint16Array(buffer, MAIL_HEADER_BYTES, MAIL_SOURCE_MAX);
    this.#args = new DataView(buffer, ARGS_AT, MAIL_ARGS_BYTES);
  }

  /** Pool side: writes `message` and sets Mail, if it can go by mail. */
  write(message: RunMessage): boolean {
    const { target, args } = message;
    if (target.kind !== 'function' || message.argHandles !== undefined || message.timer !== undefined) return false;
    const { source } = target;
    if (source.length > MAIL_SOURCE_MAX) return false;
    if (args !== undefined && !this.#writeArgs(args)) return false;
    this.#counts[1] = args === undefined ? 0 : args.length;
    this.#record[0] = message.record;
    if (source === this.#lastSource) this.#counts[0] = SAME_SOURCE;
    else {
      const units = this.#units;
      for (let i = 0; i < source.length; i++) units[i] = source.charCodeAt(i);
      this.#counts[0] = source.length;
      this.#lastSource = source;
    }
    Atomics.store(this.#control, Control.Mail, 1);
    return true;
  }

  /** Writes `args` if they are all primitives that fit (false: what was written is garbage, unread). */
  #writeArgs(args: readonly unknown[]): boolean {
    const view = this.#args;
    let at = 0;
    for (const arg of args) {
      if (at + 5 > MAIL_ARGS_BYTES) return false;
      switch (typeof arg) {
        case 'number':
          if (at + 9 > MAIL_ARGS_BYTES) return false;
          view.setUint8(at, Tag.Number);
          view.setFloat64(at + 1, arg);
          at += 9;
          break;
        case 'string':
          if (at + 5 + 2 * arg.length > MAIL_ARGS_BYTES) return false;
          view.setUint8(at, Tag.String);
          view.setUint32(at + 1, arg.length);
          at += 5;
          for (let i = 0; i < arg.length; i++, at += 2) view.setUint16(at, arg.charCodeAt(i));
          break;
        case 'boolean':
          view.setUint8(at++, arg ? Tag.True : Tag.False);
          break;
        case 'undefined':
          view.setUint8(at++, Tag.Undefined);
          break;
        default:
          if (arg !== null) return false;
          view.setUint8(at++, Tag.Null);
      }
    }
    return true;
  }

  /** Worker side: the mailed run, taken (Mail set to 0), or undefined when there is none. */
  take(): RunMessage | undefined {
    if (Atomics.load(this.#control, Control.Mail) === 0) return undefined;
    const length = this.#counts[0];
    if (length !== SAME_SOURCE) {
      this.#lastSource = String.fromCharCode.apply(null, this.#units.subarray(0, length) as unknown as number[]);
    }
    const message: RunMessage = { type: 'run', record: this.#record[0], target: { kind: 'function', source: this.#lastSource as string } };
    const count = this.#counts[1];
    if (count > 0) message.args = this.#readArgs(count);
    Atomics.store(this.#control, Control.Mail, 0);
    return message;
  }

  #readArgs(count: number): unknown[] {
    const view = this.#args;
    const args: unknown[] = [];
    for (let at = 0; args.length < count; ) {
      const tag = view.getUint8(at++) as Tag;
      if (tag === Tag.Number) {
        args.push(view.getFloat64(at));
        at += 8;
      } else if (tag === Tag.String) {
        const units: number[] = [];
        for (let n = view.getUint32(at), i = (at += 4); i < at + 2 * n; i += 2) units.push(view.getUint16(i));
        at += 2 * units.length;
        args.push(String.fromCharCode.apply(null, units));
      } else args.push(tag === Tag.Null ? null : tag === Tag.Undefined ? undefined : tag === Tag.True);
    }
    return args;
  }
}

/** What a pool worker finds in `workerData.nt`. */
export interface PoolWorkerData {
  ids: SharedIds;
  control: SharedArrayBuffer;
  /** Its mailbox (see the mailbox, above). */
  mailbox: SharedArrayBuffer;
  /** Its pool's words (PoolWord). */
  pool: SharedArrayBuffer;
  /** Its way to the shared-buffer vault (buffers.ts). */
  vault: VaultLink;
  /** Whether it lingers after a thread, watching for the next (not a worker with resourceLimits: it ends). */
  linger: boolean;
}

/** Why a worker died under a thread that had not finished: its exit code, and whether its heap limit killed it. */
export type OnLost = (record: Handle, code: number, outOfMemory: boolean) => void;

export interface RunMessage {
  type: 'run';
  record: Handle;
  target: { kind: 'function'; source: string } | { kind: 'module'; url: string; export: string };
  /** Absent when empty (each empty array costs the post and the receipt a little). */
  args?: unknown[];
  /** Absent when empty. */
  argHandles?: Handle[];
  /** A Timer's: wait `interval` ms on the Event `event` (handle owned by the message) first; run only if it stays unset. */
  timer?: { event: Handle; interval: number };
}

export interface DoneMessage {
  type: 'done';
  /** The Runs count of the run that ended. */
  run: number;
}

/** Every worker this isolate started for threads and that has not exited (see stopWorkersAtExit). */
const started = new Set<Worker>();

/**
 * At process exit Node stops each worker in turn, waiting for one to end before
 * it stops the next (~3 ms each, ~40 ms for a dozen). Told to stop all at once
 * here, they end in parallel, and Node's waits find them over. For the main
 * thread's exit handler, after it has woken every thread parked in a wait.
 */
export function stopWorkersAtExit(): void {
  for (const worker of started) void worker.terminate();
}

class PoolWorker {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** The record of the thread it was last given (for a worker that dies mid-thread). */
  record: Handle | undefined;
  dead = false;
  /** Node reported ERR_WORKER_OUT_OF_MEMORY: the isolate hit its heap limit. */
  outOfMemory = false;
  readonly #mailbox: Mailbox;

  /** With `resourceLimits`: a worker for one thread, ended once that thread is over. */
  constructor(onExit: (w: PoolWorker, code: number) => void, pool: SharedArrayBuffer, resourceLimits?: ResourceLimits) {
    const control = new SharedArrayBuffer(Control.Length * 4);
    this.control = new Int32Array(control);
    this.#mailbox = new Mailbox(this.control);
    const nt: PoolWorkerData = { ids: shared, control, mailbox: this.#mailbox.buffer, pool, vault: linkForWorker(), linger: resourceLimits === undefined };
    this.worker = new Worker(new URL('./worker-entry.js', import.meta.url), {
      workerData: { [kBackendKey]: backendWorkerData(), nt },
      resourceLimits,
      transferList: [nt.vault.port],
    });
    this.worker.on('message', (message: DoneMessage) => {
      if (message.type !== 'done') return;
      if (resourceLimits !== undefined) void this.worker.terminate();
      // The thread is over; unless the worker was claimed again since, stop holding the process open.
      else if (message.run === Atomics.load(this.control, Control.Runs)) this.worker.unref();
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      // The thread reported its own error where it could; the exit handler cleans up.
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.outOfMemory = true;
    });
    started.add(this.worker);
    this.worker.on('exit', (code) => {
      started.delete(this.worker);
      this.dead = true;
      onExit(this, code);
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  get state(): WorkerState {
    return Atomics.load(this.control, Control.State) as WorkerState;
  }

  /** Idle → Busy, if idle. */
  claim(): boolean {
    return Atomics.compareExchange(this.control, Control.State, WorkerState.Idle, WorkerState.Busy) === WorkerState.Idle;
  }

  /** Blocks until the worker has booted, then claims it. */
  claimWhenBooted(): void {
    const result = Atomics.wait(this.control, Control.State, WorkerState.Booting, BOOT_TIMEOUT_MS);
    if (!this.claim()) {
      throw new Error(
        result === 'timed-out'
          ? `native-threads: a worker isolate did not start within ${BOOT_TIMEOUT_MS} ms`
          : 'native-threads: a worker isolate failed to start',
      );
    }
  }

  /** It has never been given a thread (it booted for the start that claimed it). */
  get fresh(): boolean {
    return Atomics.load(this.control, Control.Runs) === 0;
  }

  /** Blocks until the worker has booted (or failed to), without claiming it. */
  waitBooted(ms: number): void {
    Atomics.wait(this.control, Control.State, WorkerState.Booting, ms);
  }

  async bootedAsync(): Promise<void> {
    const wait = Atomics.waitAsync(this.control, Control.State, WorkerState.Booting);
    if (wait.async) await wait.value;
  }

  get nativeId(): number {
    return Atomics.load(this.control, Control.NativeId);
  }

  /** Gives the claimed worker a thread to run; returns whether the worker was awake (see Control.Awake). */
  run(message: RunMessage, daemon: boolean): boolean {
    this.record = message.record;
    Atomics.add(this.control, Control.Runs, 1);
    if (daemon) this.worker.unref();
    else this.worker.ref();
    if (Atomics.load(this.control, Control.Awake) === 1 && this.#mailbox.write(message)) {
      Atomics.add(this.control, Control.Posted, 1);
      // It stopped watching Posted meanwhile, maybe before the bump: its event loop must look.
      if (Atomics.load(this.control, Control.Awake) === 0) this.worker.postMessage({ type: 'mail' } satisfies MailNudge);
      return true;
    }
    this.worker.postMessage(message);
    // Read before Posted moves: a worker that then ends its lingering takes this run.
    const awake = Atomics.load(this.control, Control.Awake) === 1;
    // After the post: a lingering worker that sees this move finds the message in its port.
    Atomics.add(this.control, Control.Posted, 1);
    return awake;
  }
}

/** Tells a start waiting in its pool that a worker's state changed. */
function bumpReady(poolWords: Int32Array): void {
  Atomics.add(poolWords, PoolWord.Ready, 1);
  if (Atomics.load(poolWords, PoolWord.Waiting) !== 0) Atomics.notify(poolWords, PoolWord.Ready);
}

/** Worker side: booted (or failed to), with its OS thread id. */
export function signalBooted(data: PoolWorkerData, nativeId: number, ok: boolean): void {
  const words = new Int32Array(data.control);
  Atomics.store(words, Control.NativeId, nativeId);
  Atomics.store(words, Control.State, ok ? WorkerState.Idle : WorkerState.Failed);
  Atomics.notify(words, Control.State);
  bumpReady(new Int32Array(data.pool));
}

/** Worker side: how many run messages its pool has posted to it (wrapping at 2^32). */
export function postedRuns(words: Int32Array): number {
  return Atomics.load(words, Control.Posted);
}

/** Worker side: it took a run (true), or goes back to its event loop after one (false). */
export function setAwake(words: Int32Array, awake: boolean): void {
  Atomics.store(words, Control.Awake, awake ? 1 : 0);
}

/** Worker side: the thread is over, the worker can take another. Returns the run's number. */
export function signalIdle(words: Int32Array, poolWords: Int32Array): number {
  const run = Atomics.load(words, Control.Runs);
  Atomics.store(words, Control.State, WorkerState.Idle);
  bumpReady(poolWords);
  return run;
}

export class Pool {
  readonly #workers = new Set<PoolWorker>();
  readonly #shared = new SharedArrayBuffer(PoolWord.Length * 4);
  readonly #words = new Int32Array(this.#shared);
  /** Called when a worker dies while running a thread that did not finish. */
  readonly #onLost: OnLost;

  constructor(onLost: OnLost) {
    this.#onLost = onLost;
  }

  #onExit = (dead: PoolWorker, code: number): void => {
    this.#workers.delete(dead);
    // Busy: it died between taking a thread and recording that thread's outcome.
    if (dead.record !== undefined && dead.state === WorkerState.Busy) this.#onLost(dead.record, code, dead.outOfMemory);
  };

  #boot(): PoolWorker {
    const w = new PoolWorker(this.#onExit, this.#shared);
    this.#workers.add(w);
    return w;
  }

  /** A worker with `resourceLimits` for one thread, booted and claimed; never among the pool's. */
  #dedicated(resourceLimits: ResourceLimits): PoolWorker {
    const w = new PoolWorker(this.#onExit, this.#shared, resourceLimits);
    try {
      w.claimWhenBooted();
    } catch (error) {
      void w.worker.terminate();
      throw error;
    }
    return w;
  }

  /**
   * An idle worker, claimed: one idle now, else whichever becomes idle first, a
   * worker ending its thread or one booting (two boot meanwhile).
   */
  #claim(): PoolWorker {
    const deadline = performance.now() + BOOT_TIMEOUT_MS;
    let w = this.#claimIdle();
    if (w === undefined) {
      Atomics.add(this.#words, PoolWord.Waiting, 1);
      try {
        let grace = true;
        for (;;) {
          const seen = Atomics.load(this.#words, PoolWord.Ready);
          w = this.#claimIdle();
          if (w !== undefined) break;
          // A busy worker running a short thread is free again long before a new one
          // boots (~40 ms of CPU): give the busy ones a moment before booting any.
          if (grace && this.#count(WorkerState.Busy) > 0) {
            grace = false;
            Atomics.wait(this.#words, PoolWord.Ready, seen, BUSY_GRACE_MS);
            continue;
          }
          for (let booting = this.#count(WorkerState.Booting); booting < 2; booting++) this.#boot();
          const left = deadline - performance.now();
          if (left <= 0) throw new Error(`native-threads: a worker isolate did not start within ${BOOT_TIMEOUT_MS} ms`);
          Atomics.wait(this.#words, PoolWord.Ready, seen, left);
        }
      } finally {
        Atomics.sub(this.#words, PoolWord.Waiting, 1);
      }
      // A cold start also waits for the workers booting alongside (for threads created
      // with this one, or the spare): they boot in parallel, so this costs little, and
      // the starts that follow find them warm and start within microseconds of this one
      // (the seed's racers must overlap within 100 ms, whatever each boot took).
      if (w.fresh) {
        for (const other of this.#workers) {
          if (other.state === WorkerState.Booting) other.waitBooted(BOOT_TIMEOUT_MS);
        }
      }
    }
    return w;
  }

  /** An idle worker, claimed, if there is one. A worker that failed to boot is dropped, and its failure thrown. */
  #claimIdle(): PoolWorker | undefined {
    for (const w of this.#workers) {
      if (w.claim()) return w;
      if (w.state === WorkerState.Failed) {
        this.#workers.delete(w);
        void w.worker.terminate();
        throw new Error('native-threads: a worker isolate failed to start');
      }
    }
    return undefined;
  }

  #count(state: WorkerState): number {
    let n = 0;
    for (const w of this.#workers) if (w.state === state) n++;
    return n;
  }

  /**
   * A thread was created and will likely start soon: make sure a worker is
   * idle or booting for each such thread, so that threads created together
   * (the seed's two racers) boot together and start together.
   */
  expect(unstarted: number): void {
    // An idle worker will take the first start, and a start that finds none waits for
    // the first free one: booting more now would take the CPU from short threads (the
    // seed's ten threads on two warm workers booted eight isolates for nothing).
    if (this.#count(WorkerState.Idle) > 0) return;
    for (let booting = this.#count(WorkerState.Booting); booting < unstarted; booting++) this.#boot();
  }

  /**
   * Runs `message` on a worker (with `resourceLimits`, one of its own). `onRunning(nativeId)`
   * is called before the worker sees the message, so the record is Running before its thread can finish.
   * Returns whether the worker was awake, so takes the run without being woken.
   */
  run(message: RunMessage, daemon: boolean, onRunning: (nativeId: number) => void, resourceLimits?: ResourceLimits): boolean {
    const w = resourceLimits === undefined ? this.#claim() : this.#dedicated(resourceLimits);
    // Once threads run, any of them may send a buffer; the workers' boot is over by now.
    startVault();
    onRunning(w.nativeId);
    return w.run(message, daemon);
  }

  /** Makes sure at least `n` workers are idle or booting, and waits for them to boot. */
  async prestart(n: number): Promise<void> {
    const ready = [...this.#workers].filter((w) => w.state === WorkerState.Idle || w.state === WorkerState.Booting);
    while (ready.length < n) ready.push(this.#boot());
    const booting = ready.filter((w) => w.state === WorkerState.Booting);
    // A program that warms up will run threads: the vault boots with these workers,
    // not later alongside its first threads (the demo's examples 1-2: ~50 ms).
    if (booting.length > 0) startVault();
    // Atomics.waitAsync does not keep the process alive; the booting workers do, until booted.
    for (const w of booting) w.worker.ref();
    try {
      await Promise.all(booting.map((w) => w.bootedAsync()));
    } finally {
      for (const w of booting) if (w.state !== WorkerState.Busy) w.worker.unref();
    }
  }
}
