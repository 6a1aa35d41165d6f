/**
 * Lock: Python's `threading.Lock`. A real mutex shared by every thread; any
 * thread may release it (it has no owner), as in Python.
 */
import { backend } from './backend/select.js';
import type { Handle } from './backend/types.js';
import { ThreadError } from './errors.js';
import { Acquirable, type AcquireOptions } from './guard.js';
import { attachWord, brand, handleOf, kHandle, kIndex, kWords, registerKind, track } from './handles.js';
import { checkArity, type Millis } from './validate.js';

export type { AcquireOptions } from './guard.js';

// With the lock's state word (handles.ts, kWords), an uncontended acquire or
// release is one compare-exchange here, with no backend call (a native call
// costs ~200 ns, the CAS ~10 ns).

/**
 * A blocking acquire of a held lock spins on its word before it parks in the
 * backend, pausing longer between looks each time (1, 2, 4 ... MAX_PAUSE steps
 * of a local loop, ~1 ns each), then for SPIN_MS more at the longest pause.
 * Looking again at once pulls the word's cache line from the holder, who must
 * take it back to release and to acquire again. Two threads incrementing under
 * one lock, six processes each way: 40-87 ns an increment (median 71) looking
 * every ~8 ns, 38-46 ns (median 43) backing off; a handoff between two threads
 * stayed at 0.1-0.4 µs.
 */
const MAX_PAUSE = 1024;
const SPIN_MS = 0.005;
/** Where a pause's loop leaves its result, so that the compiler keeps the loop. */
let pauseSink = 0;

/** Spins for the held lock's word to come free (see MAX_PAUSE); false when it did not. */
function spinAcquire(words: Int32Array, index: number): boolean {
  let until = 0;
  for (let pause = 1; ; ) {
    let x = 0;
    for (let i = 0; i < pause; i++) x = (x + i) | 0;
    pauseSink = x;
    if ((Atomics.load(words, index) & 1) === 0 && backend.lockWordAcquire(words, index)) return true;
    if (pause < MAX_PAUSE) pause *= 2;
    else {
      const now = performance.now();
      if (until === 0) until = now + SPIN_MS;
      else if (now >= until) return false;
    }
  }
}

function attach(lock: Lock, h: Handle): void {
  attachWord(lock, h, backend.lockWord(h));
}

export class Lock extends Acquirable {
  declare readonly [kHandle]: Handle;
  declare readonly [kWords]: Int32Array | undefined;
  declare readonly [kIndex]: number;

  constructor() {
    checkArity(arguments.length, 0, 'new Lock()');
    super();
    attach(this, backend.lockNew());
    track(this);
  }

  // Only own properties set by attach() carry kWords, so a call on any other
  // receiver skips the fast path and meets the checks of the general one.
  override acquire(options?: AcquireOptions): boolean {
    const words = this[kWords];
    if (arguments.length === 0 && words !== undefined) {
      const index = this[kIndex];
      // Held: a holder on another core is usually out within a few hundred ns,
      // far less than the backend call that would park this thread.
      if (backend.lockWordAcquire(words, index) || spinAcquire(words, index)) return true;
    }
    return super.acquire(...(arguments as unknown as [AcquireOptions?]));
  }

  protected tryAcquire(): boolean {
    const words = this[kWords];
    if (words !== undefined) return backend.lockWordAcquire(words, this[kIndex]);
    return backend.lockAcquire(handleOf(this, Lock), 0);
  }

  protected override prepareWatch(): boolean {
    return backend.lockMarkWaiting(handleOf(this, Lock));
  }

  protected acquireWaiting(timeout: Millis): boolean {
    return backend.lockAcquire(handleOf(this, Lock), timeout);
  }

  protected releaseSignal(): Handle {
    return handleOf(this, Lock);
  }

  /** Frees the lock; any thread may. Throws ThreadError when it is not locked. */
  release(): void {
    const words = this[kWords];
    if (arguments.length === 0 && words !== undefined && backend.lockWordRelease(words, this[kIndex])) return;
    checkArity(arguments.length, 0, 'release');
    if (!backend.lockRelease(handleOf(this, Lock))) throw new ThreadError('release unlocked lock');
  }

  locked(): boolean {
    const words = this[kWords];
    if (words !== undefined) return (Atomics.load(words, this[kIndex]) & 1) !== 0;
    return backend.lockLocked(handleOf(this, Lock));
  }

  get [Symbol.toStringTag](): string {
    return this.locked() ? 'Lock locked' : 'Lock unlocked';
  }
}

brand(Lock);

registerKind('lock', (h) => {
  const lock = Object.create(Lock.prototype) as Lock;
  attach(lock, h);
  return lock;
});
