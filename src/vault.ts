/**
 * The vault: the worker that holds the SharedArrayBuffers of items in transit
 * (see buffers.ts for the protocol and the lifetime rule). Its event loop does
 * nothing else, so it answers a get within microseconds, whatever the other
 * isolates are blocked in.
 *
 * State: buffers by id, each with the number of live deposits naming it; deposits
 * by token. A deposit ends when its token is no longer a live Value holding its
 * check number; the vault looks every so often (sweep), and sooner when many
 * deposits came in since it last looked, so a fast sender's buffers are not kept
 * much longer than the items that carry them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { backend } from './backend/select.js';
import type { VaultLink, VaultReply, VaultRequest } from './buffers.js';

interface Held {
  buffer: SharedArrayBuffer;
  deposits: number;
}

interface Deposit {
  check: number;
  ids: number[];
}

const held = new Map<number, Held>();
const deposits = new Map<number, Deposit>();
/** Each isolate's port, with the word its replies are signalled on. */
const ports = new Map<MessagePort, Int32Array>();

/** A sweep costs one or two backend calls per deposit: with many held, look less often. */
const SWEEP_MIN_MS = 100;
const SWEEP_MIN_DEPOSITS = 256;
let sinceSweep = 0;
let timer: NodeJS.Timeout | undefined;

function alive(token: number, check: number): boolean {
  if (backend.kindOf(token) !== 'value') return false;
  try {
    return backend.valueGet(token) === check;
  } catch {
    return false; // freed since kindOf looked
  }
}

/**
 * V8 does not count a SharedArrayBuffer's memory towards any isolate's GC
 * pressure (it is shared), and this isolate allocates almost nothing, so it
 * would hardly ever collect: the buffers it let go of would stay allocated. So
 * it collects by hand after letting go of enough bytes.
 */
const collect = (globalThis as { gc?: () => void }).gc ?? exposeGc();

/**
 * `gc` from a context made while --expose-gc is on for a moment (the flag is
 * process-wide), so other contexts keep the global scope the process started
 * with, bar one created in that same moment.
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
const COLLECT_AFTER_BYTES = 32 * 1024 * 1024;
let droppedBytes = 0;

function end(token: number, deposit: Deposit): void {
  deposits.delete(token);
  for (const id of deposit.ids) {
    const entry = held.get(id);
    if (entry !== undefined && --entry.deposits === 0) {
      held.delete(id);
      droppedBytes += entry.buffer.byteLength;
    }
  }
}

function sweep(): void {
  sinceSweep = 0;
  for (const [token, deposit] of deposits) if (!alive(token, deposit.check)) end(token, deposit);
  if (droppedBytes >= COLLECT_AFTER_BYTES) {
    droppedBytes = 0;
    collect();
  }
  timer = undefined;
  scheduleSweep();
}

function scheduleSweep(): void {
  if (timer !== undefined || deposits.size === 0) return;
  timer = setTimeout(sweep, Math.max(SWEEP_MIN_MS, deposits.size / 50));
}

function onDeposit(token: number, check: number, buffers: [number, SharedArrayBuffer][]): void {
  // A token handle seen again was freed and reused: its old deposit is over.
  const old = deposits.get(token);
  if (old !== undefined) end(token, old);
  deposits.set(token, { check, ids: buffers.map(([id]) => id) });
  for (const [id, buffer] of buffers) {
    const entry = held.get(id);
    if (entry === undefined) held.set(id, { buffer, deposits: 1 });
    else entry.deposits++;
  }
  if (++sinceSweep >= Math.max(SWEEP_MIN_DEPOSITS, deposits.size)) {
    if (timer !== undefined) clearTimeout(timer);
    sweep();
  } else {
    scheduleSweep();
  }
}

function reply(port: MessagePort, seq: number, ids: number[]): void {
  const buffers: [number, SharedArrayBuffer][] = [];
  for (const id of ids) {
    const entry = held.get(id);
    if (entry !== undefined) buffers.push([id, entry.buffer]);
  }
  const message: VaultReply = { seq, buffers, held: held.size };
  port.postMessage(message);
  const word = ports.get(port);
  if (word === undefined) return;
  Atomics.store(word, 0, seq);
  Atomics.notify(word, 0);
}

/** Takes every message already queued on every port (without replying to gets); returns the gets. */
function drain(): { port: MessagePort; seq: number; ids: number[] }[] {
  const gets: { port: MessagePort; seq: number; ids: number[] }[] = [];
  for (let more = true; more;) {
    more = false;
    for (const port of [...ports.keys()]) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        more = true;
        const request = m.message as VaultRequest;
        if (request.type === 'get') gets.push({ port, seq: request.seq, ids: request.ids });
        else handle(port, request);
      }
    }
  }
  return gets;
}

function onGet(port: MessagePort, seq: number, ids: number[]): void {
  // Messages on different ports arrive in no set order: a get can come in before
  // the deposit that its sender's put made (on another port) before the get began.
  // That deposit is queued already, so take every queued message first.
  if (ids.some((id) => !held.has(id))) {
    const gets = drain();
    reply(port, seq, ids);
    for (const get of gets) reply(get.port, get.seq, get.ids);
    return;
  }
  reply(port, seq, ids);
}

function handle(port: MessagePort, request: VaultRequest): void {
  switch (request.type) {
    case 'deposit':
      onDeposit(request.token, request.check, request.buffers);
      break;
    case 'get':
      onGet(port, request.seq, request.ids);
      break;
    case 'attach':
      listen(request.port, request.word);
      break;
  }
}

function listen(port: MessagePort, word: SharedArrayBuffer): void {
  ports.set(port, new Int32Array(word));
  port.on('message', (request: VaultRequest) => handle(port, request));
  // An isolate that ended closed its end: forget its port.
  port.on('close', () => ports.delete(port));
}

const root = (workerData as { vault: VaultLink }).vault;
listen(root.port, root.word);
