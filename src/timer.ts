/**
 * Timer: Python's `threading.Timer`, a thread that runs its target after
 * `interval` ms unless `cancel()` comes first. The delay is spent in the timer's
 * own thread, waiting on an Event that `cancel()` sets.
 */
import { Event } from './event.js';
import { kHandle } from './handles.js';
import { setTimerOf, Thread, type ThreadFunction } from './thread.js';
import { checkArity, checkDuration, typeError } from './validate.js';

const kFinished = Symbol('native-threads.timer.finished');

export class Timer extends Thread {
  declare readonly [kFinished]: Event;

  /**
   * @param interval milliseconds to wait before running `target`.
   * @param target as Thread's (a function shipped by source, or a module target).
   * @param args its arguments.
   */
  constructor(interval: number, target: ThreadFunction | { module: string | URL; export?: string }, args: unknown[] = []) {
    checkArity(arguments.length, 3, 'new Timer()');
    const ms = checkDuration(interval, 'interval');
    if (!Array.isArray(args)) throw typeError('args', 'an array', args);
    super({ target, args });
    const finished = new Event();
    Object.defineProperty(this, kFinished, { value: finished });
    setTimerOf(this, finished[kHandle], ms);
  }

  /** Stops the timer if it is still waiting; its target then never runs. */
  cancel(): void {
    checkArity(arguments.length, 0, 'cancel');
    const finished = this[kFinished];
    if (!(finished instanceof Event)) throw new TypeError('this must be a Timer created in this thread');
    finished.set();
  }
}
