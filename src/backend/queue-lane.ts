/**
 * A FIFO queue's lane: put and get of small items with no addon call (native
 * backend). The JS side of `crate/src/queue/ring.rs`, step for step; read that
 * file first, and change both together.
 *
 * The lane holds the queue's lock word only for the loads and stores between
 * `#acquire` and `#release`: no allocation and no call that could throw happens
 * in between (a throw would leave the word held, and every other thread would
 * wait for it). An isolate terminated in between cannot release it: at exit (a
 * daemon thread) the crate's waits for the word end with `interrupted`, as every
 * wait then does (crate/src/queue/mod.rs `hold`); outside exit, only a `terminate`
 * of a worker that is putting or getting at that instant could do it (a thread
 * with `resourceLimits` whose leftover timers still use a queue after it ended). Whatever the lane cannot do at once (the word is contended, the
 * item is large, the ring is full or the side has items, the queue is shut
 * down, an async twin is watching), it leaves unchanged and says so, and the
 * caller takes the addon's path, which handles every case.
 */

/** Header words (crate/src/queue/mod.rs). */
const enum Word {
  Count = 0,
  Head = 1,
  Tail = 2,
  Used = 3,
  Side = 4,
  Shut = 5,
  Getters = 6,
  Putters = 7,
  Watchers = 8,
  UnfinishedLo = 9,
  UnfinishedHi = 10,
  Maxsize = 11,
  TracksTasks = 12,
}

/** Ring bytes (ring.rs CAPACITY) and the largest item it takes (MAX_ITEM). */
const CAPACITY = 32768;
export const LANE_MAX_ITEM = 512;
/** ring.rs SKIP (u32::MAX) as an Int32Array reads it. */
const SKIP = -1;
/** The crate's lock word (crate/src/lock.rs): bit 0 LOCKED, bit 1 PARKED, bit 2 WATCHED. */
export const LOCKED = 1;
/** Tries at a contended lock word before the addon's path (which parks) takes over. */
const SPINS = 64;
/** How long `pollGet` (`pollPut`) waits for an item (room) before the addon's call (which parks) takes over. */
const POLL_MS = 0.02;

export interface LaneMemory {
  /** The lock word: `lock[lockAt]`. */
  lock: Int32Array;
  lockAt: number;
  /** Header word i: `header[headerAt + i]`. */
  header: Int32Array;
  headerAt: number;
  /** The ring's bytes from `ringBytes[ringAt]` (as i32: `ringWords[(ringAt + offset) >> 2]`). */
  ringBytes: Uint8Array;
  ringWords: Int32Array;
  ringAt: number;
}

export class QueueLane {
  readonly #m: LaneMemory;
  /** The addon, for what the lane cannot do itself: release a word threads are parked on, wake a waiter. */
  readonly #signal: (releaseWord: boolean, wakeForItem: boolean | undefined) => void;

  constructor(memory: LaneMemory, signal: (releaseWord: boolean, wakeForItem: boolean | undefined) => void) {
    this.#m = memory;
    this.#signal = signal;
  }

  #acquire(): boolean {
    const { lock, lockAt } = this.#m;
    for (let i = 0; i < SPINS; i++) {
      const s = lock[lockAt]; // plain first read, checked by the CAS
      // Set LOCKED, keeping PARKED: barging is allowed, as in lock.rs.
      if ((s & LOCKED) === 0 && Atomics.compareExchange(lock, lockAt, s, s | LOCKED) === s) return true;
    }
    return false;
  }

  /** `wake`: true to wake a getter, false a putter, undefined nobody. */
  #release(wake: boolean | undefined): void {
    const { lock, lockAt } = this.#m;
    const released = Atomics.compareExchange(lock, lockAt, LOCKED, 0) === LOCKED;
    if (!released || wake !== undefined) this.#signal(!released, wake);
  }

  /** Puts `bytes` (the encoded item) in the ring. False: nothing changed, use the addon's put. */
  put(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (n > LANE_MAX_ITEM || !this.#acquire()) return false;
    const { header: w, headerAt: o, ringBytes, ringWords, ringAt } = this.#m;
    let wake: boolean | undefined;
    try {
      if (w[o + Word.Shut] !== 0 || w[o + Word.Side] !== 0 || Atomics.load(w, o + Word.Watchers) !== 0) return false;
      const count = w[o + Word.Count];
      const max = w[o + Word.Maxsize] >>> 0;
      if (max !== 0 && count >= max) return false;
      const size = 4 + ((n + 3) & ~3);
      let tail = w[o + Word.Tail];
      const used = w[o + Word.Used];
      const room = CAPACITY - tail;
      const skipped = room < size ? room : 0;
      if (used + skipped + size > CAPACITY) return false;
      if (room < size) {
        if (skipped >= 4) ringWords[(ringAt + tail) >> 2] = SKIP;
        tail = 0;
      }
      ringWords[(ringAt + tail) >> 2] = n;
      const to = ringAt + tail + 4;
      // A loop beats TypedArray.prototype.set for the few bytes of a typical item.
      if (n <= 64) for (let i = 0; i < n; i++) ringBytes[to + i] = bytes[i];
      else ringBytes.set(bytes, to);
      w[o + Word.Tail] = tail + size;
      w[o + Word.Used] = used + skipped + size;
      w[o + Word.Count] = count + 1;
      if (w[o + Word.TracksTasks] !== 0) {
        const lo = (w[o + Word.UnfinishedLo] >>> 0) + 1;
        if (lo === 2 ** 32) {
          w[o + Word.UnfinishedLo] = 0;
          w[o + Word.UnfinishedHi] += 1;
        } else {
          w[o + Word.UnfinishedLo] = lo;
        }
      }
      if (w[o + Word.Getters] !== 0) wake = true;
      return true;
    } finally {
      this.#release(wake);
    }
  }

  /**
   * Takes the oldest item from the ring into `into` (at least LANE_MAX_ITEM bytes)
   * and returns its length. -1: nothing changed, use the addon's get.
   */
  get(into: Uint8Array): number {
    if (!this.#acquire()) return -1;
    const { header: w, headerAt: o, ringBytes, ringWords, ringAt } = this.#m;
    let wake: boolean | undefined;
    try {
      const count = w[o + Word.Count];
      if (count === 0 || Atomics.load(w, o + Word.Watchers) !== 0) return -1;
      let head = w[o + Word.Head];
      let used = w[o + Word.Used];
      if (head === CAPACITY || ringWords[(ringAt + head) >> 2] === SKIP) {
        used -= CAPACITY - head;
        head = 0;
      }
      const n = ringWords[(ringAt + head) >> 2];
      const from = ringAt + head + 4;
      for (let i = 0; i < n; i++) into[i] = ringBytes[from + i];
      const size = 4 + ((n + 3) & ~3);
      if (count === 1) {
        w[o + Word.Head] = 0;
        w[o + Word.Tail] = 0;
        w[o + Word.Used] = 0;
      } else {
        w[o + Word.Head] = head + size;
        w[o + Word.Used] = used - size;
      }
      w[o + Word.Count] = count - 1;
      if (w[o + Word.Putters] !== 0) wake = false;
      return n;
    } finally {
      this.#release(wake);
    }
  }

  /**
   * `get`, retried while the ring looks empty (or its word is busy) for up to
   * POLL_MS: a producer a little behind then hands items over with no park and
   * wake (a futex wake costs 10-50 µs here, a lane put ~100 ns). -1 as `get`.
   */
  pollGet(into: Uint8Array): number {
    const { header: w, headerAt: o } = this.#m;
    let got = -1;
    this.#poll(() => {
      if (Atomics.load(w, o + Word.Count) !== 0) got = this.get(into);
      // The addon's get serves the side's items, and a shut-down, empty queue.
      return got >= 0 || w[o + Word.Side] !== 0 || w[o + Word.Shut] !== 0;
    });
    return got;
  }

  /** `put`, retried while the queue is at its bound (or the word is busy) for up to POLL_MS, as `pollGet`. */
  pollPut(bytes: Uint8Array): boolean {
    const { header: w, headerAt: o } = this.#m;
    const max = w[o + Word.Maxsize] >>> 0;
    // Only a bound is worth waiting out here: the addon takes every other refusal.
    if (max === 0) return false;
    let done = false;
    this.#poll(() => {
      if (Atomics.load(w, o + Word.Count) < max) done = this.put(bytes);
      return done || Atomics.load(w, o + Word.Side) !== 0 || Atomics.load(w, o + Word.Shut) !== 0;
    });
    return done;
  }

  /** Calls `attempt` until it returns true or POLL_MS have passed (the clock read every 64 tries). */
  #poll(attempt: () => boolean): void {
    let deadline = 0;
    for (let i = 1; !attempt(); i++) {
      if ((i & 63) === 0) {
        const now = performance.now();
        if (deadline === 0) deadline = now + POLL_MS;
        else if (now >= deadline) return;
      }
    }
  }

  /**
   * An async twin starts (+1) or ends (-1) watching the queue: while any does,
   * the lane steps aside, so every change goes through the addon, which moves the
   * epoch they watch.
   */
  watch(delta: 1 | -1): void {
    Atomics.add(this.#m.header, this.#m.headerAt + Word.Watchers, delta);
  }
}
