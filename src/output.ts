/**
 * `print` and `sleep`: output and time for code running on any thread.
 *
 * `console.log` in a worker is relayed to the main thread by message, so lines
 * from threads arrive late and out of order. `print` writes the whole line to fd 1
 * with synchronous writes from the calling thread instead: lines appear in the
 * order they were printed and never interleave (one line is one write unless the
 * pipe is full).
 *
 * The main thread's turn. In Python, a thread that wakes up needs the GIL, and the
 * main thread that has just woken holds it until it blocks again or 5 ms pass; when
 * the main program ends, daemon threads never get it back. So in the seed's daemon
 * example, whose daemon wakes a fraction of a millisecond after the main thread's
 * last sleep, `Main program is done.` is always the last line. Node needs a
 * millisecond or two between a program's last statement and its exit, during which
 * a daemon would print a sixth line. We keep Python's order for output only: when
 * the main thread returns from a call that blocked, other threads' `print` waits
 * until the main thread blocks again, or MAIN_TURN_MS pass, or the process exits
 * (the wait is a backend sleep, which exit interrupts). Nothing else waits.
 */
import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { backend } from './backend/select.js';
import { shared } from './shared.js';
import { viewGet, viewSet } from './backend/value-view.js';
import { checkDuration } from './validate.js';

/**
 * Python's switch interval is 5 ms, but Node's exit path takes longer: 10 ms was not
 * enough under load (the seed's daemon printed a sixth line after `Main program is
 * done.` once in CI and once in a local run, 2026-12-03). Only the output of other
 * threads waits, and only while the main thread runs without blocking.
 */
const MAIN_TURN_MS = 50;

/** Milliseconds on a clock every thread shares (performance.now() is per thread). */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The turn's Value through its memory when JS can reach it: every blocking call
 * on the main thread writes it twice, and two addon calls (~0.2 µs each) were
 * most of what a Condition.wait that did not block cost on the native backend.
 */
const turnView = backend.valueView(shared.mainTurn);

function setTurn(until: number): void {
  if (turnView !== undefined) viewSet(turnView, until);
  else backend.valueSet(shared.mainTurn, until);
}

function turn(): number {
  return (turnView !== undefined ? viewGet(turnView) : backend.valueGet(shared.mainTurn)) as number;
}

/** Runs a call that blocks the calling thread; on the main thread, takes its turn when the call returns. */
export function blocking<T>(call: () => T): T {
  if (!isMainThread) return call();
  setTurn(0);
  try {
    return call();
  } finally {
    setTurn(wallNow() + MAIN_TURN_MS);
  }
}

/** On a thread other than main: waits while it is the main thread's turn. */
function awaitTurn(): void {
  for (;;) {
    const until = turn();
    const left = until - wallNow();
    if (left <= 0) return;
    backend.sleep(Math.min(left, 1));
  }
}

function writeAll(fd: number, text: string): void {
  let bytes = Buffer.from(text, 'utf8');
  while (bytes.length > 0) {
    try {
      const written = writeSync(fd, bytes);
      bytes = bytes.subarray(written);
    } catch (error) {
      // A non-blocking pipe that is full: wait a moment for the reader.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      backend.sleep(1);
    }
  }
}

/** Prints `values` joined by spaces as one line on stdout, formatted as console.log would (no format specifiers). */
export function print(...values: unknown[]): void {
  const line = values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ');
  if (!isMainThread) awaitTurn();
  writeAll(1, `${line}\n`);
}

/** Blocks the calling thread (only it) for `ms` milliseconds. */
export function sleep(ms: number): void {
  if (arguments.length > 1) throw new TypeError(`sleep takes 1 argument, got ${arguments.length}`);
  const duration = checkDuration(ms, 'ms');
  blocking(() => backend.sleep(duration));
}
