/**
 * The program of a pool worker: boots, tells its pool its OS thread id, then runs
 * one thread's target per `run` message, recording each outcome in the thread's
 * record (where every joiner, in any isolate, reads it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { backend } from './backend/select.js';
import { ThreadState } from './backend/types.js';
import { revivePlaceholders } from './codec.js';
import { errorRecord } from './errors.js';
import { Event } from './event.js';
import { wrapperFor } from './handles.js';
import {
  postedRuns,
  setAwake,
  signalBooted,
  signalIdle,
  Mailbox,
  type DoneMessage,
  type MailNudge,
  type PoolWorkerData,
  type RunMessage,
} from './pool.js';
import { reportFailure } from './excepthook.js';
import { encodeError, encodeOutcome, finishFailed, killedEpitaph, setCurrentRecord } from './thread.js';
// The whole API, so that every kind of handle can be revived here (each module registers its kind).
import './index.js';

type Target = (...args: unknown[]) => unknown;

/*
 * A function target arrives as source text, and that text is whatever the caller's
 * toolchain made of it. Test runners and loaders rewrite `import()` and add
 * helpers; these globals let such rewritten bodies run here. (vitest/vite SSR:
 * `__vite_ssr_dynamic_import__`; esbuild's keepNames, used by tsx: `__name`.)
 */
const shims = globalThis as Record<string, unknown>;
shims.__vite_ssr_dynamic_import__ ??= (specifier: string) => import(fromViteId(specifier));
shims.__name ??= (fn: object, name: string) => Object.defineProperty(fn, 'name', { value: name, configurable: true });

/**
 * Vite hands its SSR dynamic import a resolved id rather than what the source
 * said: `/@fs/<absolute path>`, `/@id/<bare specifier>`, or a path relative to
 * the project root written with a leading slash (`/dist/index.js`). The root is
 * taken to be the working directory, as it is when vitest is run from a project.
 */
function fromViteId(specifier: string): string {
  if (specifier.startsWith('/@fs/')) return pathToFileURL(specifier.slice('/@fs'.length)).href;
  if (specifier.startsWith('/@id/')) return specifier.slice('/@id/'.length).replace(/^__x00__/, '');
  if (specifier.startsWith('/') && !existsSync(specifier)) {
    const inRoot = join(process.cwd(), specifier);
    if (existsSync(inRoot)) return pathToFileURL(inRoot).href;
  }
  return specifier.startsWith('/') ? pathToFileURL(specifier).href : specifier;
}

/** Targets compiled in this isolate, by source text: a pool worker runs the same target again and again. */
const compiled = new Map<string, Target>();
const COMPILED_MAX = 256;

function compile(source: string): Target {
  let fn = compiled.get(source);
  if (fn === undefined) {
    fn = compileSource(source);
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, fn);
  }
  return fn;
}

/** Compiles a function's source text in the global scope (no access to this module). */
function compileSource(source: string): Target {
  const evaluate = eval; // indirect eval: global scope
  let result: unknown;
  try {
    result = evaluate(`(${source}\n)`);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Method shorthand (`name(a) { ... }`) is not an expression on its own.
    const holder = evaluate(`({${source}\n})`) as Record<string, unknown>;
    result = Object.values(holder)[0];
  }
  if (typeof result !== 'function') throw new TypeError('target source did not evaluate to a function');
  return result as Target;
}

async function load(target: RunMessage['target'] & { kind: 'module' }): Promise<Target> {
  const module = (await import(target.url)) as Record<string, unknown>;
  const fn = module[target.export];
  if (typeof fn !== 'function') {
    throw new TypeError(`target.export: ${target.url} has no function export '${target.export}'`);
  }
  return fn as Target;
}

/** Errors thrown into a thread because the process is exiting are not the thread's failure to report. */
function isExitInterrupt(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('interrupted');
}

/** A Timer's delay: true when `cancel()` set its Event before the interval passed. */
function timerCancelled(timer: NonNullable<RunMessage['timer']>): boolean {
  const finished = wrapperFor(timer.event, true) as Event;
  return finished.wait(timer.interval);
}

let running: RunMessage['record'] | undefined;

async function run(message: RunMessage): Promise<void> {
  running = message.record;
  setCurrentRecord(message.record);
  // Should the heap limit kill this isolate, no JS runs again here: the backend writes this outcome.
  backend.threadSetEpitaph(message.record, killedEpitaph);
  let outcome: { data: Uint8Array; failed: boolean };
  let sendToHook: (() => void) | undefined;
  try {
    const args = revivePlaceholders(message.args ?? [], message.argHandles ?? [], true) as unknown[];
    const fn = message.target.kind === 'function' ? compile(message.target.source) : await load(message.target);
    if (message.timer !== undefined && timerCancelled(message.timer)) outcome = encodeOutcome(undefined);
    else outcome = encodeOutcome(await fn(...args));
  } catch (error) {
    if (!isExitInterrupt(error)) sendToHook = reportFailure(message.record, error);
    outcome = { data: encodeError(errorRecord(error)), failed: true };
  }
  // Idle before the outcome is published, so a joiner that starts the next thread
  // at once finds this worker free. A new run waits in the message queue until
  // this function has returned.
  const done: DoneMessage = { type: 'done', run: signalIdle(control, poolWords) };
  backend.threadFinish(message.record, outcome.data, outcome.failed);
  backend.threadClearEpitaph();
  running = undefined;
  setCurrentRecord(undefined);
  sendToHook?.();
  if (!nt.linger) {
    parentPort?.postMessage(done);
    return;
  }
  heldDone = done;
  if (lingerSoon) return;
  if (lingerSkips > 0) {
    lingerSkips--;
    stopWatching();
    // A run mailed before Awake went 0 was mailed to an awake worker: take it.
    takePending();
  } else {
    lingerSoon = true;
    setImmediate(linger);
  }
}

/*
 * Lingering. Waking a worker parked in its event loop costs its pool the post's
 * wake-up and the worker Node's message dispatch: tens of microseconds on a VM
 * whose idle vCPU must be woken. A program that joins a thread and starts the
 * next at once (a loop of spawn().join()) would pay that on every thread. So after
 * each thread the worker watches its Posted word for LINGER_MS, spinning, and
 * takes a run given meanwhile itself, from its mailbox (pool.ts) or its port
 * (receiveMessageOnPort). It does so from setImmediate, so its event loop's I/O
 * callbacks, and between two runs its timers, still get their turn; it never
 * blocks there: a worker that sees nothing goes back to its event loop, where a
 * later run arrives as a message (a run, or a nudge to look in the mailbox), and
 * process exit terminates it wherever it is. Measured on a 2-vCPU VM,
 * 20 us was too short to catch the next run of such a loop, 100 us caught it as
 * well as 400 us did.
 *
 * It backs off: after a lingering that caught nothing it skips the next 1, 3, 7
 * ... 63 chances, until one catches a run again. So a program that starts threads
 * now and then wastes little CPU on it, and so does a worker that shares its CPU
 * with the thread that would post the run: there lingering only delays the poster
 * (on this VM the scheduler often wakes the two onto one vCPU, and a worker parked
 * in its event loop, switched to on the same CPU, is the faster way then).
 */
const LINGER_MS = 0.1;
const MAX_MISSES = 6;
let lingerSoon = false;
/** Chances to linger left to skip, and lingerings in a row that caught nothing (see above). */
let lingerSkips = 0;
let lingerMisses = 0;
/** Runs taken, by any way; Posted runs ahead of it while one waits in the port or the mailbox. */
let consumed = 0;
/**
 * The last run's `done`, held while the worker watches for the next run: its pool
 * acts only on the `done` of the latest run it gave (unref), so a run taken
 * meanwhile makes it moot.
 */
let heldDone: DoneMessage | undefined;

/** Back to the event loop: Awake cleared, the held `done` posted. */
function stopWatching(): void {
  setAwake(control, false);
  if (heldDone !== undefined) parentPort?.postMessage(heldDone);
  heldDone = undefined;
}

function take(message: RunMessage): void {
  heldDone = undefined;
  consumed = (consumed + 1) | 0;
  if (nt.linger) setAwake(control, true);
  void run(message);
}

/** A run in the mailbox, taken; false when it is empty. */
function takeMailed(): boolean {
  const message = mailbox.take();
  if (message === undefined) return false;
  take(message);
  return true;
}

/** The run Posted says is waiting (mailed, or in the port), taken now. */
function takePending(): void {
  if (((postedRuns(control) - consumed) | 0) <= 0 || takeMailed() || parentPort === null) return;
  const next = receiveMessageOnPort(parentPort);
  if (next !== undefined) take(next.message as RunMessage);
}

function onMessage(message: RunMessage | MailNudge): void {
  if (message.type === 'run') take(message);
  else takeMailed();
}

function linger(): void {
  lingerSoon = false;
  if (running !== undefined || parentPort === null) return; // a run from the event loop is under way
  const until = performance.now() + LINGER_MS;
  while (((postedRuns(control) - consumed) | 0) <= 0) {
    if (performance.now() >= until) {
      stopWatching();
      // A run posted just before Awake went 0 was posted to an awake worker: take it.
      if (((postedRuns(control) - consumed) | 0) > 0) break;
      lingerMisses = Math.min(lingerMisses + 1, MAX_MISSES);
      lingerSkips = (1 << lingerMisses) - 1;
      return;
    }
  }
  lingerMisses = 0;
  takePending();
}

// process.exit() inside a target ends this isolate: finish the record so joiners wake.
process.on('exit', (code) => {
  if (running !== undefined && backend.threadState(running) === ThreadState.Running) {
    finishFailed(running, { name: 'Error', message: `thread called process.exit(${code})`, stack: undefined });
  }
});

const nt = (workerData as { nt: PoolWorkerData }).nt;
const poolWords = new Int32Array(nt.pool);
const control = new Int32Array(nt.control);
const mailbox = new Mailbox(control, nt.mailbox);
parentPort?.on('message', onMessage);
signalBooted(nt, backend.osThreadId(), true);
// A target's first `import('native-threads')` in an isolate costs ~3 ms (the
// loader's first resolution and file reads here); targets are told to import it,
// so it starts now, in the background, and the first thread finds it done or
// under way.
import('native-threads').catch(() => {
  // Not resolvable by that name from here (a renamed copy): the target will say so if it asks.
});
