/**
 * `print` and `sleep`: output and time for code running on any thread.
 *
 * `console.log` in a worker is relayed to the main thread by message, so lines
 * from threads arrive late and out of order. `print` writes the whole line to fd 1
 * with synchronous writes from the calling thread instead: lines appear in the
 * order they were printed and never interleave (one line is one write unless the
 * pipe is full).
 */
import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { backend } from './backend/select.js';
import { checkDuration } from './validate.js';

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
  writeAll(1, `${line}\n`);
}

/** Blocks the calling thread (only it) for `ms` milliseconds. */
export function sleep(ms: number): void {
  if (arguments.length > 1) throw new TypeError(`sleep takes 1 argument, got ${arguments.length}`);
  backend.sleep(checkDuration(ms, 'ms'));
}
