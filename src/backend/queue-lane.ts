/**
 * A FIFO queue's lane: put and get of small items with no addon call and no
 * lock (native backend). The JS side of `crate/src/queue/ring.rs`, step for
 * step; read that file first, and change both together. The crate's
 * `Queue::lane_put` and `lane_get` are this file's steps in Rust, which the loom
 * models check (`crate/tests/loom_queue.rs`).
 *
 * The ring is Vyukov's bounded MPMC queue: a put claims a position with one
 * compare-exchange on TAIL, writes the item into the position's slot and
 * publishes it by the slot's sequence word; a get claims with one
 * compare-exchange on HEAD once the sequence says the item is there. Whatever
 * the lane cannot do at once (the item is large, the ring is full or closed, the
 * queue is empty), it leaves unchanged and says so, and the caller takes the
 * addon's path, which handles every case (the side, the bound's waits, shutdown).
 *
 * After a put (get) the lane reads AWAITING_ITEM (AWAITING_ROOM), and asks the
 * addon to wake a parked thread and move the epoch async twins watch when it is
 * not 0: every `Atomics` operation is sequentially consistent, so either the
 * waiter's re-check sees the change or the lane sees the waiter (the handshake in
 * crate/src/queue/mod.rs). A get from an unbounded queue does not look: nothing
 * there waits for room (its puts never wait), and leaving out that one `Atomics`
 * call took a SimpleQueue between two threads from 7.7 to 9.3M ints/s (medians
 * of five alternating processes).
 *
 * Costs: an `Atomics` call is ~8 ns on Node 20 (not inlined), a plain typed-array
 * read ~1 ns, so the lane reads TAIL and HEAD plainly (the compare-exchange that
 * claims a position checks the value), and tasks are counted by position in the
 * crate, not by an add per put.
 */

import { NUMBER_FRAME_BYTES, writeNumberFrame } from '../frame.js';

/** Header words (crate/src/queue/mod.rs). */
const enum Word {
  Tail = 0,
  Head = 16,
  Side = 32,
  Shut = 33,
  AwaitingItem = 34,
  AwaitingRoom = 35,
  Maxsize = 36,
}

/** ring.rs SLOTS, SLOT_WORDS, MAX_ITEM and FOLD_EVERY. */
const SLOTS = 256;
const SLOT_WORDS = 32;
const LANE_MAX_ITEM = 120;
const FOLD_EVERY = 2 ** 26;
/** TAIL's position bits; its top bit is CLOSED, so a closed ring's TAIL reads negative. */
const POSITION = 0x7fffffff;
/** How long `pollGet` (`pollPut`) spins for an item (room) before the addon's call (which parks) takes over. */
const POLL_MS = 0.02;
/**
 * How long `pollPut` goes on, napping, while its consumers seem stalled (a
 * consumer descheduled for a moment, on a busy machine): the side it would put to
 * otherwise costs ~1 µs a put until it drains.
 */
const PUT_PATIENCE_MS = 1;
/** A nap of `pollPut`'s: the CPU it leaves may be what a stalled consumer needs. */
const NAP_MS = 0.05;
const napWord = new Int32Array(new SharedArrayBuffer(4));
/** The free slots a full ring must have again before `pollPut` tries to put. */
const ROOM_TO_RETRY = 16;

export interface LaneMemory {
  /** Header word i: `header[headerAt + i]`. */
  header: Int32Array;
  headerAt: number;
  /** Slot i's word j: `slotWords[slotsAt + i * SLOT_WORDS + j]`; its bytes through `slotBytes` and `slotView` at 4 × that. */
  slotWords: Int32Array;
  slotBytes: Uint8Array;
  slotView: DataView;
  slotsAt: number;
}

/** `a - b` as a signed distance between 31-bit positions (ring.rs `distance`). */
function distance(a: number, b: number): number {
  return ((a - b) << 1) >> 1;
}

export class QueueLane {
  readonly #m: LaneMemory;
  readonly #max: number;
  /** HEAD as last read by a put: a bound check reads HEAD itself only when this says full. */
  #head = 0;
  /** The addon, for what the lane cannot do itself: wake a waiter, move the epoch. */
  readonly #signal: (forItem: boolean) => void;

  constructor(memory: LaneMemory, signal: (forItem: boolean) => void) {
    this.#m = memory;
    this.#signal = signal;
    this.#max = memory.header[memory.headerAt + Word.Maxsize] >>> 0;
  }

  /** Puts `bytes` (the encoded item) in the ring. False: nothing changed, use the addon's put. */
  put(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (n > LANE_MAX_ITEM) return false;
    const t = this.#claimTail();
    if (t < 0) return false;
    const { slotWords, slotBytes, slotsAt } = this.#m;
    const at = slotsAt + (t & (SLOTS - 1)) * SLOT_WORDS;
    slotWords[at + 1] = n;
    const to = 4 * (at + 2);
    // A loop beats TypedArray.prototype.set for the few bytes of a typical item.
    for (let i = 0; i < n; i++) slotBytes[to + i] = bytes[i];
    this.#publish(t, at);
    return true;
  }

  /**
   * `put` of a number, its frame written straight into the slot: no encoded copy
   * to make and copy again, byte by byte (a fifth of a put's time). False as `put`.
   */
  putNumber(value: number): boolean {
    const t = this.#claimTail();
    if (t < 0) return false;
    const { slotWords, slotView, slotsAt } = this.#m;
    const at = slotsAt + (t & (SLOTS - 1)) * SLOT_WORDS;
    slotWords[at + 1] = NUMBER_FRAME_BYTES;
    writeNumberFrame(slotView, 4 * (at + 2), value);
    this.#publish(t, at);
    return true;
  }

  /** A put's claim: TAIL's position, now this put's, or -1 if the lane cannot put (nothing changed). */
  #claimTail(): number {
    const { header: w, headerAt: o, slotWords, slotsAt } = this.#m;
    const max = this.#max;
    let t = w[o + Word.Tail];
    for (;;) {
      // Closed, or a position the crate counts tasks at (ring.rs FOLD_EVERY).
      if (t < 0 || ((t & (FOLD_EVERY - 1)) === 0 && t !== 0)) return -1;
      if (max !== 0 && ((t - this.#head) & POSITION) >= max) {
        this.#head = Atomics.load(w, o + Word.Head);
        if (((t - this.#head) & POSITION) >= max) return -1;
      }
      const d = distance(Atomics.load(slotWords, slotsAt + (t & (SLOTS - 1)) * SLOT_WORDS), t);
      if (d < 0) return -1; // every slot taken
      if (d > 0) {
        t = w[o + Word.Tail]; // another put claimed `t`
        continue;
      }
      const seen = Atomics.compareExchange(w, o + Word.Tail, t, (t + 1) & POSITION);
      if (seen === t) return t;
      t = seen;
    }
  }

  /** A put's end: the item in slot `at` (position `t`) is there for gets; a parked getter is woken. */
  #publish(t: number, at: number): void {
    const { header: w, headerAt: o, slotWords } = this.#m;
    Atomics.store(slotWords, at, (t + 1) & POSITION);
    if (Atomics.load(w, o + Word.AwaitingItem) !== 0) this.#signal(true);
  }

  /**
   * Takes the oldest item from the ring into `into` (the words of an array of at
   * least LANE_MAX_ITEM bytes) and returns its length in bytes. -1: nothing
   * changed, use the addon's get.
   */
  get(into: Int32Array): number {
    const { header: w, headerAt: o, slotWords, slotsAt } = this.#m;
    let p = w[o + Word.Head];
    let at: number;
    for (;;) {
      at = slotsAt + (p & (SLOTS - 1)) * SLOT_WORDS;
      const d = distance(Atomics.load(slotWords, at), (p + 1) & POSITION);
      if (d < 0) return -1; // empty, or the next item not yet published
      if (d > 0) {
        p = w[o + Word.Head]; // another get took `p`
        continue;
      }
      const seen = Atomics.compareExchange(w, o + Word.Head, p, (p + 1) & POSITION);
      if (seen === p) break;
      p = seen;
    }
    const n = slotWords[at + 1];
    // By words: a number's 13 bytes in 4 copies, not 13.
    for (let i = 0, words = (n + 3) >> 2; i < words; i++) into[i] = slotWords[at + 2 + i];
    Atomics.store(slotWords, at, (p + SLOTS) & POSITION);
    // Only a bounded queue has puts that wait for room.
    if (this.#max !== 0 && Atomics.load(w, o + Word.AwaitingRoom) !== 0) this.#signal(false);
    return n;
  }

  /**
   * `get`, retried while the ring looks empty for up to POLL_MS: a producer a
   * little behind then hands items over with no park and wake (a futex wake
   * costs 10-50 µs here, a lane put ~100 ns). -1 as `get`.
   */
  pollGet(into: Int32Array): number {
    const { header: w, headerAt: o } = this.#m;
    let got = -1;
    this.#poll(() => {
      got = this.get(into);
      // The addon's get serves the side's items, and a shut-down, empty queue.
      return got >= 0 || Atomics.load(w, o + Word.Side) !== 0 || Atomics.load(w, o + Word.Shut) !== 0;
    });
    return got;
  }

  /**
   * `put`, retried while the ring is full (or at the bound): spinning as
   * `pollGet` for as long as gets keep taking items and POLL_MS after the last
   * one, then napping until PUT_PATIENCE_MS have passed with no get. A producer
   * ahead of its consumers then keeps to their pace in the ring, instead of
   * putting to the side through the addon (~1 µs a put, and the ring stays
   * closed until the side drains), unless they have really stopped.
   */
  pollPut(bytes: Uint8Array): boolean {
    if (bytes.length > LANE_MAX_ITEM) return false;
    const { header: w, headerAt: o } = this.#m;
    let done = false;
    const attempt = (): boolean => {
      const t = w[o + Word.Tail];
      // A closed ring (the side has items, or shut down) is the addon's to handle.
      if (t < 0) return true;
      // Tried again only once gets made room for a few items: a put at a full
      // ring reads the very slot a get is taking, and slows it down.
      if (((t - w[o + Word.Head]) & POSITION) > SLOTS - ROOM_TO_RETRY) return false;
      return (done = this.put(bytes));
    };
    const head = (): number => w[o + Word.Head];
    for (let since = performance.now(); ; ) {
      if (this.#poll(attempt, head)) return done;
      const now = performance.now();
      if (now - since >= PUT_PATIENCE_MS) return false;
      const seen = head();
      Atomics.wait(napWord, 0, 0, NAP_MS);
      if (head() !== seen) since = now;
    }
  }

  /**
   * Calls `attempt` until it returns true (then true) or POLL_MS have passed
   * (the clock read every 64 tries) since the start, or since `progress` last
   * changed (then false).
   */
  #poll(attempt: () => boolean, progress?: () => number): boolean {
    let deadline = 0;
    let seen = progress?.();
    for (let i = 1; !attempt(); i++) {
      if ((i & 63) === 0) {
        const now = performance.now();
        const moved = progress !== undefined && progress() !== seen;
        if (moved) seen = progress();
        if (deadline === 0 || moved) deadline = now + POLL_MS;
        else if (now >= deadline) return false;
      }
    }
    return true;
  }

  /**
   * An async twin starts (+1) or ends (-1) watching the queue: while any does,
   * the lane's puts (and a bounded queue's gets) ask the addon to move the epoch they watch.
   */
  watch(delta: 1 | -1): void {
    const { header: w, headerAt: o } = this.#m;
    Atomics.add(w, o + Word.AwaitingItem, delta);
    Atomics.add(w, o + Word.AwaitingRoom, delta);
  }
}
