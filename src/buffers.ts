/**
 * SharedArrayBuffers in queue items and thread results: shared, not copied.
 *
 * v8.serialize (the codec's general path) cannot carry a SharedArrayBuffer, but a
 * MessagePort can. So the codec puts a placeholder naming the buffer's id in the
 * bytes, and the buffer itself goes to the vault (vault.ts), a small worker that
 * holds it while the item travels; the isolate that decodes the item takes it
 * back from the vault, synchronously, unless it already holds that buffer.
 *
 * Ids: each buffer object gets a process-wide id the first time it is sent from
 * an isolate (or when it arrives in one), kept in this isolate's maps both ways.
 * So a buffer sent twice to one isolate is the same object there, and one that
 * comes back to its sender is the sender's own object. (A buffer that arrived by
 * other means, such as a thread's `args`, is a new object with an id of its own.)
 *
 * Lifetime: every encoded item that carries buffers lists one extra handle in its
 * header, its token: a Value (f64) made for that item and holding a number unique
 * to it. Like every handle in an item header, the token's reference goes with the
 * item: the getter drops it, and so does a backend that drops the item (a freed
 * queue, `shutdown(immediate)`, a thread record freed with its result). The vault
 * keeps a buffer while some live token names it, checking the tokens now and then
 * (the vault never owns them, and a token's number guards against a handle reused
 * by another Value). Each isolate holds the buffer objects it received as long as
 * its own code keeps them, as with any object.
 *
 * Links: every isolate talks to the vault over a MessagePort of its own (no
 * broadcast, so no isolate receives another's buffers), plus a word on which the
 * vault signals its replies, so a get can wait for one with Atomics.wait while
 * this isolate's event loop is blocked. The process's first isolate (the root)
 * starts the vault (startVault), before any other isolate could need it, so that
 * every link leads to a running vault whatever the root's event loop is doing.
 * A link for a new worker is made by its parent: a new MessageChannel, whose
 * vault end is sent to the vault over the parent's own link (messages wait in a
 * port until its other end listens, so nothing is lost before the vault boots).
 */
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { backendWorkerData, kBackendKey } from './backend/select.js';

/**
 * The process-wide vault state (`VaultLink.state`): an Int32 VaultState at byte
 * 0, and at byte 8 the i64 counter that numbers buffers and tokens.
 */
const STATE_BYTES = 16;
const COUNTER_BYTE = 8;

export const enum VaultState {
  /** Not started yet (only the root starts it). */
  None = 0,
  Running = 1,
  /** The process is exiting: no more answers. */
  Closed = 2,
  /** The vault worker died. */
  Gone = 3,
}

/** One isolate's way to the vault. */
export interface VaultLink {
  /** The process-wide vault state. */
  state: SharedArrayBuffer;
  port: MessagePort;
  /** Int32 word 0: the seq of the vault's latest reply on `port`. */
  word: SharedArrayBuffer;
}

/** Messages to the vault. */
export type VaultRequest =
  | { type: 'deposit'; token: number; check: number; buffers: [number, SharedArrayBuffer][] }
  | { type: 'get'; seq: number; ids: number[] }
  | { type: 'attach'; port: MessagePort; word: SharedArrayBuffer };

export interface VaultReply {
  seq: number;
  buffers: [number, SharedArrayBuffer][];
  /** How many buffers the vault holds (for tests). */
  held: number;
}

/** How long a get waits for the vault before it gives up (a vault that answers at all answers in microseconds). */
const REPLY_TIMEOUT_MS = 30_000;
/** Waits are cut into slices so that process exit is noticed. */
const SLICE_MS = 50;

function inheritedLink(): VaultLink | undefined {
  if (isMainThread || workerData === null || typeof workerData !== 'object') return undefined;
  const nt = (workerData as Record<string, unknown>).nt as { vault?: VaultLink } | undefined;
  return nt?.vault;
}

let link: VaultLink | undefined = inheritedLink();
const state = new Int32Array(link?.state ?? new SharedArrayBuffer(STATE_BYTES));
const counter = new BigInt64Array(state.buffer, COUNTER_BYTE, 1);

/** Every isolate's port stays unref'd: a link never holds a process open. */
link?.port.unref();

/** Root only: the vault's end of the root's link, kept (with what is posted to it) until the vault starts. */
let vaultEnd: MessagePort | undefined;

function ownLink(): VaultLink {
  if (link === undefined) {
    const { port1, port2 } = new MessageChannel();
    port2.unref();
    link = { state: state.buffer as SharedArrayBuffer, port: port2, word: new SharedArrayBuffer(4) };
    vaultEnd = port1;
  }
  return link;
}

/**
 * Starts the vault, in the root, unless it runs already (elsewhere a no-op: the
 * root started it before any thread ran). Called before the root sends or gets a
 * buffer, and before its pool gives a worker its first thread, so the vault's
 * boot does not slow the first workers' boot, and programs that never start a
 * thread and never send a buffer never start it.
 */
export function startVault(): void {
  const { word } = ownLink();
  if (vaultEnd === undefined) return;
  const vault = new Worker(new URL('./vault.js', import.meta.url), {
    workerData: { [kBackendKey]: backendWorkerData(), vault: { state: state.buffer, port: vaultEnd, word } },
    transferList: [vaultEnd],
  });
  vaultEnd = undefined;
  vault.on('error', () => Atomics.store(state, 0, VaultState.Gone));
  vault.on('exit', () => {
    Atomics.compareExchange(state, 0, VaultState.Running, VaultState.Gone);
  });
  vault.unref();
  Atomics.store(state, 0, VaultState.Running);
  if (isMainThread) {
    process.on('exit', () => {
      Atomics.store(state, 0, VaultState.Closed);
      // Ends alongside the pool's workers, not after them (pool.ts stopWorkersAtExit).
      void vault.terminate();
    });
  }
}

/**
 * A link for a worker this isolate is about to start (its parent end is sent to
 * the vault now): put it in the worker's data, with `port` in the transfer list.
 */
export function linkForWorker(): VaultLink {
  const { port1, port2 } = new MessageChannel();
  const word = new SharedArrayBuffer(4);
  const attach: VaultRequest = { type: 'attach', port: port1, word };
  ownLink().port.postMessage(attach, [port1]);
  return { state: state.buffer as SharedArrayBuffer, port: port2, word };
}

// --- ids ----------------------------------------------------------------------

const idOfBuffer = new WeakMap<SharedArrayBuffer, number>();
const bufferOfId = new Map<number, WeakRef<SharedArrayBuffer>>();
const forget = new FinalizationRegistry<number>((id) => {
  if (bufferOfId.get(id)?.deref() === undefined) bufferOfId.delete(id);
});

/** A new number, unique in the process: buffer ids and token checks. */
export function uniqueNumber(): number {
  return Number(Atomics.add(counter, 0, 1n) + 1n);
}

function remember(buffer: SharedArrayBuffer, id: number): void {
  idOfBuffer.set(buffer, id);
  bufferOfId.set(id, new WeakRef(buffer));
  forget.register(buffer, id);
}

/** The buffer's id, given one now if it has none in this isolate. */
export function idOf(buffer: SharedArrayBuffer): number {
  let id = idOfBuffer.get(buffer);
  if (id === undefined) {
    id = uniqueNumber();
    remember(buffer, id);
  }
  return id;
}

// --- deposit and get ------------------------------------------------------------

/**
 * Hands the vault an item's buffers, kept while `token` (a Value holding `check`)
 * lives. Once this returns the deposit is in the vault's queue, so the item may
 * be stored: a get that follows finds it.
 */
export function deposit(token: number, check: number, buffers: Map<SharedArrayBuffer, number>): void {
  const message: VaultRequest = { type: 'deposit', token, check, buffers: [...buffers].map(([b, id]) => [id, b]) };
  startVault();
  ownLink().port.postMessage(message);
}

let seq = 0;

/** The buffers named by `ids`, in order: this isolate's own objects where it has them, else the vault's. */
export function buffersFor(ids: readonly number[]): SharedArrayBuffer[] {
  const found = ids.map((id) => bufferOfId.get(id)?.deref());
  const missing = ids.filter((_, i) => found[i] === undefined);
  if (missing.length === 0) return found as SharedArrayBuffer[];
  const fetched = new Map(fetch(missing).buffers);
  return ids.map((id, i) => {
    const local = found[i];
    if (local !== undefined) return local;
    const buffer = fetched.get(id);
    if (buffer === undefined) throw new Error(`native-threads: shared buffer ${id} of this item is no longer in the vault`);
    return buffer;
  });
}

/** How many buffers the vault holds now: for tests of the lifetime rule. */
export function vaultHeld(): number {
  return fetch([]).held;
}

/**
 * Asks the vault for buffers (which become this isolate's, under their ids), and
 * waits for its answer however busy this isolate's event loop is.
 */
function fetch(ids: number[]): VaultReply {
  startVault();
  const { port, word } = ownLink();
  const reply = new Int32Array(word);
  const mine = ++seq;
  const request: VaultRequest = { type: 'get', seq: mine, ids };
  port.postMessage(request);
  const deadline = performance.now() + REPLY_TIMEOUT_MS;
  for (;;) {
    const seen = Atomics.load(reply, 0);
    let received = receiveMessageOnPort(port);
    // Replies to gets that gave up earlier are stale: skip them.
    while (received !== undefined && (received.message as VaultReply).seq !== mine) received = receiveMessageOnPort(port);
    if (received !== undefined) {
      const answer = received.message as VaultReply;
      for (const [id, buffer] of answer.buffers) remember(buffer, id);
      return answer;
    }
    const now = Atomics.load(state, 0);
    if (now === VaultState.Closed) throw new Error('interrupted: the process is exiting, so a shared buffer could not be fetched');
    if (now === VaultState.Gone) throw new Error('native-threads: the shared-buffer vault has stopped; this item cannot be decoded');
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`native-threads: the shared-buffer vault did not answer within ${REPLY_TIMEOUT_MS} ms`);
    Atomics.wait(reply, 0, seen, Math.min(SLICE_MS, left));
  }
}
