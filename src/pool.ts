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
 * Boot handshake: a worker writes its OS thread id into its control words and
 * notifies; `start()` needs that id synchronously (Python's start() returns with
 * `native_id` set), so a start that finds no warm worker blocks on the handshake.
 */
import { Worker } from 'node:worker_threads';
import { backendWorkerData, kBackendKey } from './backend/select.js';
import type { Handle } from './backend/types.js';

/** Control words shared with a pool worker (Int32Array indexes). */
const enum Control {
  /** 0 while booting, 1 once ready, 2 if its boot failed. */
  State = 0,
  /** The worker's OS thread id, valid once State is 1. */
  NativeId = 1,
  Length = 2,
}

const BOOT_TIMEOUT_MS = 30_000;

/** Process-wide ids every pool worker needs, given by thread.ts. */
export interface SharedIds {
  main: Handle;
  counter: Handle;
}

/** What a pool worker finds in `workerData.nt`. */
export interface PoolWorkerData extends SharedIds {
  control: SharedArrayBuffer;
}

export interface RunMessage {
  type: 'run';
  record: Handle;
  target: { kind: 'function'; source: string } | { kind: 'module'; url: string; export: string };
  args: unknown[];
  argHandles: Handle[];
}

export interface DoneMessage {
  type: 'done';
}

export class PoolWorker {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** The record of the thread it runs, if any. */
  running: Handle | undefined;
  dead = false;

  constructor(ids: SharedIds, onExit: (w: PoolWorker, code: number) => void, onDone: (w: PoolWorker) => void) {
    const control = new SharedArrayBuffer(Control.Length * 4);
    this.control = new Int32Array(control);
    const nt: PoolWorkerData = { ...ids, control };
    this.worker = new Worker(new URL('./worker-entry.js', import.meta.url), {
      workerData: { [kBackendKey]: backendWorkerData(), nt },
    });
    this.worker.on('message', (message: DoneMessage) => {
      if (message.type === 'done') onDone(this);
    });
    this.worker.on('error', () => {
      // Reported by the thread itself where it could; the exit handler cleans up.
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      onExit(this, code);
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  get booted(): boolean {
    return Atomics.load(this.control, Control.State) === 1;
  }

  /** Blocks until the worker has booted; returns its OS thread id. */
  waitBooted(): number {
    const result = Atomics.wait(this.control, Control.State, 0, BOOT_TIMEOUT_MS);
    const state = Atomics.load(this.control, Control.State);
    if (state !== 1) {
      throw new Error(
        result === 'timed-out'
          ? `native-threads: a worker isolate did not start within ${BOOT_TIMEOUT_MS} ms`
          : 'native-threads: a worker isolate failed to start',
      );
    }
    return Atomics.load(this.control, Control.NativeId);
  }

  async bootedAsync(): Promise<void> {
    const wait = Atomics.waitAsync(this.control, Control.State, 0);
    if (wait.async) await wait.value;
  }

  get nativeId(): number {
    return Atomics.load(this.control, Control.NativeId);
  }
}

/** Worker side of the boot handshake. */
export function signalBooted(control: SharedArrayBuffer, nativeId: number, ok: boolean): void {
  const words = new Int32Array(control);
  Atomics.store(words, Control.NativeId, nativeId);
  Atomics.store(words, Control.State, ok ? 1 : 2);
  Atomics.notify(words, Control.State);
}

export class Pool {
  readonly #idle: PoolWorker[] = [];
  readonly #all = new Set<PoolWorker>();
  readonly #ids: () => SharedIds;
  /** Called when a worker dies while running a thread that did not finish. */
  readonly #onLost: (record: Handle, code: number) => void;

  constructor(ids: () => SharedIds, onLost: (record: Handle, code: number) => void) {
    this.#ids = ids;
    this.#onLost = onLost;
  }

  #spawnWorker(): PoolWorker {
    const w = new PoolWorker(
      this.#ids(),
      (dead, code) => {
        this.#all.delete(dead);
        const at = this.#idle.indexOf(dead);
        if (at >= 0) this.#idle.splice(at, 1);
        if (dead.running !== undefined) this.#onLost(dead.running, code);
      },
      (done) => this.#release(done),
    );
    this.#all.add(w);
    return w;
  }

  #release(w: PoolWorker): void {
    w.running = undefined;
    w.worker.unref();
    if (!w.dead) this.#idle.push(w);
  }

  /**
   * Runs `message` on a warm worker (or a new one, waiting for it to boot).
   * `onRunning(nativeId)` is called before the worker sees the message, so the
   * record is Running before its thread can finish.
   */
  run(message: RunMessage, daemon: boolean, onRunning: (nativeId: number) => void): void {
    let w = this.#idle.pop();
    while (w !== undefined && w.dead) w = this.#idle.pop();
    if (w === undefined) w = this.#spawnWorker();
    let nativeId: number;
    try {
      nativeId = w.booted ? w.nativeId : w.waitBooted();
    } catch (error) {
      void w.worker.terminate();
      throw error;
    }
    w.running = message.record;
    if (!daemon) w.worker.ref();
    onRunning(nativeId);
    w.worker.postMessage(message);
  }

  /** Makes sure at least `n` booted workers are idle. */
  async prestart(n: number): Promise<void> {
    const fresh: PoolWorker[] = [];
    for (let missing = n - this.#idle.length; missing > 0; missing--) fresh.push(this.#spawnWorker());
    await Promise.all(fresh.map((w) => w.bootedAsync()));
    for (const w of fresh) if (w.booted && !w.dead) this.#idle.push(w);
  }

  get size(): number {
    return this.#all.size;
  }
}
