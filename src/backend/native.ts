/**
 * The native backend: the Rust crate (crate/src) through its generated napi-rs
 * loader, crate/binding.cjs, adapted to the Backend interface of types.ts.
 *
 * The addon is loaded once per process and shared by every worker isolate, so
 * every isolate that calls loadNativeBackend() reaches the same registry, locks
 * and queues. `workerData()` passes only the path of the `.node` file the
 * process loaded, so that a worker requires it directly: the generated loader
 * costs each worker's boot ~1.5 ms more (it works out the platform again). The
 * adapter only renames and narrows: the raw binding returns `null` where the
 * interface says `undefined`, and plain numbers/strings where it says enums and
 * unions. Errors pass through unchanged (the crate already throws
 * `TypeError('invalid handle…')` and `Error('interrupted…')`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type {
  Backend,
  CondWait,
  GetStatus,
  Handle,
  ObjectKind,
  PutStatus,
  RlockRelease,
  RLockWords,
  ThreadOutcome,
  ThreadState,
  ValueType,
} from './types.js';
import { packageRoot } from '../package-root.js';
import { QueueLane } from './queue-lane.js';

/** The raw binding, as crate/binding.d.cts declares it (kept in step by hand). */
interface RawBinding {
  retain(h: number): void;
  release(h: number): void;
  kindOf(h: number): string | null;
  liveObjects(): number;
  epoch(h: number): number;
  watch(h: number, seen: number, onChange: () => void): number;
  unwatch(watchId: number): void;
  sleep(ms: number): void;
  osThreadId(): number;
  interruptAll(): void;
  lockNew(): number;
  lockAcquire(h: number, timeoutMs: number): boolean;
  lockRelease(h: number): boolean;
  lockLocked(h: number): boolean;
  lockCell(h: number): number;
  lockMarkWaiting(h: number): boolean;
  valueCell(h: number): number;
  cellsPerChunk(): number;
  cellsChunk(i: number): ArrayBuffer | null;
  valueNew(ty: string, initial: number | bigint): number;
  valueType(h: number): string;
  valueGet(h: number): number | bigint;
  valueSet(h: number, v: number | bigint): void;
  valueAdd(h: number, n: number | bigint): number | bigint;
  valueCompareExchange(h: number, expected: number | bigint, replacement: number | bigint): number | bigint;
  queueNew(maxsize: number, flavor?: string | null): number;
  queueMaxsize(h: number): number;
  queuePut(h: number, item: Uint8Array, timeoutMs: number, key?: Uint8Array | null): number;
  queueGet(h: number, timeoutMs: number, into?: Uint8Array | null): Uint8Array | number;
  /** [header cell, ring cell], or null (crate/src/queue/mod.rs `lane`). */
  queueLane(h: number): number[] | null;
  queueLaneSignal(h: number, forItem: boolean): void;
  queueSize(h: number): number;
  queueTaskDone(h: number): boolean;
  queueJoin(h: number, timeoutMs: number): boolean;
  queueShutdown(h: number, immediate: boolean): void;
  queueIsShutDown(h: number): boolean;
  rlockNew(): number;
  rlockAcquire(h: number, owner: number, timeoutMs: number): boolean;
  rlockRelease(h: number, owner: number): number;
  rlockLocked(h: number): boolean;
  rlockIsOwned(h: number, owner: number): boolean;
  rlockOwner(h: number): number;
  rlockReleaseAll(h: number, owner: number): number;
  rlockAcquireCount(h: number, owner: number, count: number, timeoutMs: number): boolean;
  /** [state cell, owner cell, count cell], or null (crate/src/rlock.rs `cells`). */
  rlockCells(h: number): number[] | null;
  rlockMarkWaiting(h: number): boolean;
  condNew(): number;
  condRegister(h: number): number;
  condWait(h: number, ticket: number, timeoutMs: number): number;
  condPoll(h: number, ticket: number): boolean;
  condCancel(h: number, ticket: number): boolean;
  condNotify(h: number, n: number): number;
  condNotifyAll(h: number): number;
  condWaiting(h: number): number;
  semNew(value: number, bound: number): number;
  semAcquire(h: number, timeoutMs: number): boolean;
  semRelease(h: number, n: number): boolean;
  semValue(h: number): number;
  eventNew(): number;
  eventCell(h: number): number;
  eventWaitSince(h: number, seen: number, timeoutMs: number): boolean;
  eventMarkWatched(h: number): void;
  eventIsSet(h: number): boolean;
  eventSet(h: number): void;
  eventClear(h: number): void;
  eventWait(h: number, timeoutMs: number): boolean;
  barrierNew(parties: number): number;
  barrierParties(h: number): number;
  barrierNWaiting(h: number): number;
  barrierBroken(h: number): boolean;
  barrierArrive(h: number, timeoutMs: number): number;
  barrierWait(h: number, ticket: number, timeoutMs: number): number;
  barrierCancel(h: number, ticket: number): number;
  barrierAbort(h: number): void;
  barrierReset(h: number): void;
  threadNew(name: string, daemon: boolean): number;
  threadName(h: number): string;
  threadSetName(h: number, name: string): void;
  threadDaemon(h: number): boolean;
  threadSetDaemon(h: number, daemon: boolean): void;
  threadState(h: number): number;
  threadMarkRunning(h: number, nativeId: number): void;
  threadNativeId(h: number): number;
  threadFinish(h: number, data: Uint8Array, failed: boolean): void;
  threadSetEpitaph(h: number, data: Uint8Array): void;
  threadClearEpitaph(): void;
  threadJoin(h: number, timeoutMs: number): boolean;
  threadOutcome(h: number): { data: Uint8Array; failed: boolean } | null;
  /** Raw (crate/src/raw.rs): the outcome copied into `into`: its length, -(length + 3) when failed, -1 not Done, -2 too large. */
  threadOutcomeInto(h: number, into: Uint8Array): number;
  threadsRunning(): number[];
  seedRace(locked: boolean, sleepMs?: number | null): number;
  seedQueue(workers: number, items: number): number;
}

/** The crate's kernels: the seed's workloads on the crate's own OS threads. */
export interface NativeKernels {
  /** Two threads read, sleep `sleepMs` (default 100), write back: 1 unlocked, 2 locked. */
  seedRace(locked: boolean, sleepMs?: number): number;
  /** `workers` threads take the ints 0..items from a queue, taskDone each; their sum. */
  seedQueue(workers: number, items: number): number;
}

let binding: RawBinding | undefined;
let backend: Backend | undefined;

/** The crate's lock word (crate/src/lock.rs): bit 0 LOCKED, bit 1 PARKED, bit 2 WATCHED. */
const LOCKED = 1;

/** The crate's event word (crate/src/event.rs): bit 0 FLAG, bit 1 WAITED, bits 2–31 a count of sets. */
const FLAG = 1;
const WAITED = 2;
const ONE_SET = 4;

/** Where a count saturates (crate/src/rlock.rs: a u32). */
const COUNT_MAX = 0xffff_ffff;

/**
 * An RLock's three cells (crate/src/rlock.rs): the lock's state word, the owner
 * and the count, each at 32 bits. The steps are rlock.rs's, in its order: see
 * its module docs for why they hold against the crate's own paths. OWNER and
 * the state go through Atomics (other threads read them); COUNT is touched only
 * by the holder, ordered by the state word's compare-exchanges, so plain
 * accesses do. COUNT means nothing while OWNER is 0, so a release leaves it.
 */
class NativeRLockWords implements RLockWords {
  constructor(
    private readonly state: Int32Array,
    private readonly stateAt: number,
    private readonly owner: Uint32Array,
    private readonly ownerAt: number,
    private readonly count: Uint32Array,
    private readonly countAt: number,
  ) {}

  // rlock.rs `acquire(owner, Timeout::Now)`.
  acquire(owner: Handle): boolean {
    // Only this thread ever stores its own id here (rlock.rs), so a plain
    // read is exact for the question "mine?".
    if (this.owner[this.ownerAt] === owner) {
      const c = this.count[this.countAt];
      if (c !== COUNT_MAX) this.count[this.countAt] = c + 1;
      return true;
    }
    return this.#take(owner, 1);
  }

  // rlock.rs `acquire_count(owner, count, Timeout::Now)`.
  acquireCount(owner: Handle, count: number): boolean {
    const levels = Math.min(Math.max(count, 1), COUNT_MAX);
    if (this.owner[this.ownerAt] === owner) {
      this.count[this.countAt] = Math.min(this.count[this.countAt] + levels, COUNT_MAX);
      return true;
    }
    return this.#take(owner, levels);
  }

  owns(owner: Handle): boolean {
    return this.owner[this.ownerAt] === owner;
  }

  /** The lock's word taken for `owner`, who does not hold it, with `levels` levels. */
  #take(owner: Handle, levels: number): boolean {
    // lock.rs `try_acquire`: set LOCKED, keeping PARKED and WATCHED. The first
    // read may be plain: the compare-exchange checks it.
    let s = this.state[this.stateAt];
    for (;;) {
      if ((s & LOCKED) !== 0) return false;
      const seen = Atomics.compareExchange(this.state, this.stateAt, s, s | LOCKED);
      if (seen === s) break;
      s = seen;
    }
    this.count[this.countAt] = levels;
    this.owner[this.ownerAt] = owner;
    return true;
  }

  // rlock.rs `release_unwatched`.
  release(owner: Handle): boolean {
    if (this.owner[this.ownerAt] !== owner) return false;
    const c = this.count[this.countAt];
    if (c > 1) {
      this.count[this.countAt] = c - 1;
      return true;
    }
    return this.#free(owner);
  }

  // rlock.rs `release_all_unwatched`.
  releaseAll(owner: Handle): number {
    if (this.owner[this.ownerAt] !== owner) return -1;
    const levels = Math.max(this.count[this.countAt], 1);
    return this.#free(owner) ? levels : -1;
  }

  /** The owner's last level let go of; false (and no change) when the crate must do it. */
  #free(owner: Handle): boolean {
    // Cleared before the word is freed, so the next owner never sees ours.
    this.owner[this.ownerAt] = 0;
    // Only from "held, nobody parked or watching", as lockWordRelease.
    if (Atomics.compareExchange(this.state, this.stateAt, LOCKED, 0) === LOCKED) return true;
    // Still held and only the owner frees it: put ours back for rlockRelease.
    this.owner[this.ownerAt] = owner;
    return false;
  }

  locked(): boolean {
    return (Atomics.load(this.state, this.stateAt) & LOCKED) !== 0;
  }
}

/** Views of one chunk of the crate's shared cells (crate/src/words.rs). */
interface ChunkViews {
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f64: Float64Array;
  i64: BigInt64Array;
  data: DataView;
}

/**
 * This isolate's views of the crate's cell chunks, by chunk index: each chunk is
 * wrapped in an ArrayBuffer once per isolate and kept for the isolate's life
 * (V8 must not see two buffers over the same memory), null when the runtime
 * refuses external buffers.
 */
const chunks: (ChunkViews | null)[] = [];

/** The views and index (in 8-byte cells) of a cell, or undefined when JS cannot reach it. */
function cellViews(b: RawBinding, cell: number): { views: ChunkViews; offset: number } | undefined {
  if (cell < 0) return undefined;
  const perChunk = b.cellsPerChunk();
  const i = Math.floor(cell / perChunk);
  let views = chunks[i];
  if (views === undefined) {
    const buffer = b.cellsChunk(i);
    views =
      buffer === null
        ? null
        : {
            u8: new Uint8Array(buffer),
            i32: new Int32Array(buffer),
            u32: new Uint32Array(buffer),
            f64: new Float64Array(buffer),
            i64: new BigInt64Array(buffer),
            data: new DataView(buffer),
          };
    chunks[i] = views;
  }
  return views === null ? undefined : { views, offset: cell % perChunk };
}


/** The `.node` file this process loaded, when known: for workers (see the module docs). */
let addonPath: string | undefined;

/** `addon`: the `.node` file the process loaded, passed to a worker; else the generated loader finds it. */
function loadBinding(addon?: string): RawBinding {
  if (binding === undefined) {
    const require = createRequire(import.meta.url);
    if (addon !== undefined) {
      try {
        binding = require(addon) as RawBinding;
        addonPath = addon;
        return binding;
      } catch {
        // Moved or gone since the process loaded it: the generated loader decides.
      }
    }
    try {
      const before = new Set(Object.keys(require.cache));
      binding = require(fileURLToPath(new URL('crate/binding.cjs', packageRoot))) as RawBinding;
      const loaded = Object.keys(require.cache).filter((key) => key.endsWith('.node') && !before.has(key));
      if (loaded.length === 1) addonPath = loaded[0];
    } catch (error) {
      throw new Error(
        'native-threads: cannot load the native addon (crate/binding.cjs); ' +
          'build it with `npm run build` or install the prebuilt package for this platform',
        { cause: error },
      );
    }
  }
  return binding;
}

/**
 * The crate's name for a Value's type, as this module's literal. A string made by
 * the addon is not internalized: V8 compares it with a literal (the switches in
 * value-view.ts, on every `.value`) by content, through a call, instead of by
 * address. That made a `.value` read ~3x slower than on the js backend.
 */
function valueTypeOf(b: RawBinding, h: Handle): ValueType {
  switch (b.valueType(h)) {
    case 'i32':
      return 'i32';
    case 'u32':
      return 'u32';
    case 'i64':
      return 'i64';
    default:
      return 'f64';
  }
}

/** Where threadOutcome has an outcome copied (off V8's heap at this size, so the addon can write it). */
const outcomeScratch = new Uint8Array(4096);

function adapt(b: RawBinding): Backend {
  return {
    name: 'native',
    workerData: () => addonPath,

    retain: (h) => b.retain(h),
    release: (h) => b.release(h),
    kindOf: (h) => {
      const kind = b.kindOf(h);
      return kind === null ? undefined : (kind as ObjectKind);
    },
    liveObjects: () => b.liveObjects(),

    epoch: (h) => b.epoch(h),
    watch: (h, seen, onChange) => b.watch(h, seen, onChange),
    unwatch: (id) => b.unwatch(id),

    sleep: (ms) => b.sleep(ms),
    osThreadId: () => b.osThreadId(),
    interruptAll: () => b.interruptAll(),

    lockNew: () => b.lockNew(),
    lockAcquire: (h, timeoutMs) => b.lockAcquire(h, timeoutMs),
    lockRelease: (h) => b.lockRelease(h),
    lockLocked: (h) => b.lockLocked(h),
    lockWord: (h) => {
      const cell = cellViews(b, b.lockCell(h));
      return cell === undefined ? undefined : { words: cell.views.i32, index: 2 * cell.offset };
    },
    lockWordAcquire: (words, index) => {
      // Set LOCKED, keeping PARKED and WATCHED: barging is allowed, as in lock.rs.
      const s = words[index]; // plain first read, checked by the CAS
      return (s & LOCKED) === 0 && Atomics.compareExchange(words, index, s, s | LOCKED) === s;
    },
    // Only from "held, nobody parked or watching"; anything else needs the crate
    // (to wake a parked thread, or move the epoch for a watcher).
    lockWordRelease: (words, index) => Atomics.compareExchange(words, index, LOCKED, 0) === LOCKED,
    lockMarkWaiting: (h) => b.lockMarkWaiting(h),

    valueNew: (type, initial) => b.valueNew(type, initial),
    valueType: (h) => valueTypeOf(b, h),
    valueGet: (h) => b.valueGet(h),
    valueSet: (h, v) => b.valueSet(h, v),
    valueAdd: (h, n) => b.valueAdd(h, n),
    valueCompareExchange: (h, expected, replacement) => b.valueCompareExchange(h, expected, replacement),
    valueView: (h) => {
      const cell = cellViews(b, b.valueCell(h));
      if (cell === undefined) return undefined;
      const { i32, u32, f64, i64 } = cell.views;
      return { type: valueTypeOf(b, h), i32, u32, f64, i64, index32: 2 * cell.offset, index64: cell.offset };
    },

    queueNew: (maxsize, flavor) => b.queueNew(maxsize, flavor),
    queueMaxsize: (h) => b.queueMaxsize(h),
    queuePut: (h, item, timeoutMs, key) => b.queuePut(h, item, timeoutMs, key) as PutStatus,
    queueGet: (h, timeoutMs, into) => {
      const result = b.queueGet(h, timeoutMs, into);
      if (typeof result !== 'number') return result;
      // A length copied into `into`, or a status as its negative.
      return result >= 0 ? (into as Uint8Array).subarray(0, result) : (-result as GetStatus);
    },
    queueLane: (h) => {
      const cells = b.queueLane(h);
      if (cells === null) return undefined;
      const [header, ring] = cells.map((cell) => cellViews(b, cell));
      if (header === undefined || ring === undefined) return undefined;
      return new QueueLane(
        {
          header: header.views.i32,
          headerAt: 2 * header.offset,
          slotWords: ring.views.i32,
          slotBytes: ring.views.u8,
          slotView: ring.views.data,
          slotsAt: 2 * ring.offset,
        },
        (forItem) => b.queueLaneSignal(h, forItem),
      );
    },
    queueSize: (h) => b.queueSize(h),
    queueTaskDone: (h) => b.queueTaskDone(h),
    queueJoin: (h, timeoutMs) => b.queueJoin(h, timeoutMs),
    queueShutdown: (h, immediate) => b.queueShutdown(h, immediate),
    queueIsShutDown: (h) => b.queueIsShutDown(h),

    rlockNew: () => b.rlockNew(),
    rlockAcquire: (h, owner, timeoutMs) => b.rlockAcquire(h, owner, timeoutMs),
    rlockRelease: (h, owner) => b.rlockRelease(h, owner) as RlockRelease,
    rlockLocked: (h) => b.rlockLocked(h),
    rlockIsOwned: (h, owner) => b.rlockIsOwned(h, owner),
    rlockOwner: (h) => b.rlockOwner(h),
    rlockReleaseAll: (h, owner) => b.rlockReleaseAll(h, owner),
    rlockAcquireCount: (h, owner, count, timeoutMs) => b.rlockAcquireCount(h, owner, count, timeoutMs),
    rlockWords: (h) => {
      const cells = b.rlockCells(h);
      if (cells === null) return undefined;
      const [state, owner, count] = cells.map((cell) => cellViews(b, cell));
      if (state === undefined || owner === undefined || count === undefined) return undefined;
      return new NativeRLockWords(
        state.views.i32,
        2 * state.offset,
        owner.views.u32,
        2 * owner.offset,
        count.views.u32,
        2 * count.offset,
      );
    },
    rlockMarkWaiting: (h) => b.rlockMarkWaiting(h),

    condNew: () => b.condNew(),
    condRegister: (h) => b.condRegister(h),
    condWait: (h, ticket, timeoutMs) => b.condWait(h, ticket, timeoutMs) as CondWait,
    condPoll: (h, ticket) => b.condPoll(h, ticket),
    condCancel: (h, ticket) => b.condCancel(h, ticket),
    condNotify: (h, n) => b.condNotify(h, n),
    condNotifyAll: (h) => b.condNotifyAll(h),
    condWaiting: (h) => b.condWaiting(h),

    semNew: (value, bound) => b.semNew(value, bound),
    semAcquire: (h, timeoutMs) => b.semAcquire(h, timeoutMs),
    semRelease: (h, n) => b.semRelease(h, n),
    semValue: (h) => b.semValue(h),

    eventNew: () => b.eventNew(),
    eventIsSet: (h) => b.eventIsSet(h),
    eventSet: (h) => b.eventSet(h),
    eventClear: (h) => b.eventClear(h),
    eventWait: (h, timeoutMs) => b.eventWait(h, timeoutMs),
    eventWord: (h) => {
      const cell = cellViews(b, b.eventCell(h));
      return cell === undefined ? undefined : { words: cell.views.i32, index: 2 * cell.offset };
    },
    // event.rs's set_fast: only while no waiter or watcher is marked, who need the crate to wake them.
    eventWordSet: (words, index) => {
      // Atomic: a plain read that says "set" could be older than a clear.
      let v = Atomics.load(words, index);
      for (;;) {
        if ((v & FLAG) !== 0) return true;
        if ((v & WAITED) !== 0) return false;
        const w = Atomics.compareExchange(words, index, v, ((v + ONE_SET) | FLAG) | 0);
        if (w === v) return true;
        v = w;
      }
    },
    eventWordClear: (words, index) => {
      Atomics.and(words, index, ~FLAG);
    },
    eventMarkWatched: (h) => b.eventMarkWatched(h),
    eventWaitSince: (h, seenWord, timeoutMs) => b.eventWaitSince(h, seenWord >>> 0, timeoutMs),

    barrierNew: (parties) => b.barrierNew(parties),
    barrierParties: (h) => b.barrierParties(h),
    barrierNWaiting: (h) => b.barrierNWaiting(h),
    barrierBroken: (h) => b.barrierBroken(h),
    barrierArrive: (h, timeoutMs) => b.barrierArrive(h, timeoutMs),
    barrierWait: (h, ticket, timeoutMs) => b.barrierWait(h, ticket, timeoutMs),
    barrierCancel: (h, ticket) => b.barrierCancel(h, ticket),
    barrierAbort: (h) => b.barrierAbort(h),
    barrierReset: (h) => b.barrierReset(h),

    threadNew: (name, daemon) => b.threadNew(name, daemon),
    threadName: (h) => b.threadName(h),
    threadSetName: (h, name) => b.threadSetName(h, name),
    threadDaemon: (h) => b.threadDaemon(h),
    threadSetDaemon: (h, daemon) => b.threadSetDaemon(h, daemon),
    threadState: (h) => b.threadState(h) as ThreadState,
    threadMarkRunning: (h, nativeId) => b.threadMarkRunning(h, nativeId),
    threadNativeId: (h) => b.threadNativeId(h),
    threadFinish: (h, data, failed) => b.threadFinish(h, data, failed),
    threadSetEpitaph: (h, epitaph) => b.threadSetEpitaph(h, epitaph()),
    threadClearEpitaph: () => b.threadClearEpitaph(),
    threadJoin: (h, timeoutMs) => b.threadJoin(h, timeoutMs),
    threadOutcome: (h): ThreadOutcome | undefined => {
      // Copied out of a scratch array, not handed over as a Buffer in an object: a
      // join's outcome read cost ~1.8 us that way, most of it making those two.
      const n = b.threadOutcomeInto(h, outcomeScratch);
      if (n === -1) return undefined;
      if (n >= 0) return { data: outcomeScratch.slice(0, n), failed: false };
      if (n <= -3) return { data: outcomeScratch.slice(0, -n - 3), failed: true };
      const outcome = b.threadOutcome(h);
      return outcome === null ? undefined : { data: outcome.data, failed: outcome.failed };
    },
    threadsRunning: (): Handle[] => b.threadsRunning(),
  };
}

/** The native backend; throws (the loader's error as `cause`) where the addon cannot load. */
/** `inherited`: a parent isolate's `workerData()`. */
export function loadNativeBackend(inherited?: unknown): Backend {
  if (backend === undefined) backend = adapt(loadBinding(typeof inherited === 'string' ? inherited : undefined));
  return backend;
}

/** The crate's kernels; throws like loadNativeBackend where the addon cannot load. */
export function nativeKernels(): NativeKernels {
  const b = loadBinding();
  return {
    seedRace: (locked, sleepMs) => b.seedRace(locked, sleepMs),
    seedQueue: (workers, items) => b.seedQueue(workers, items),
  };
}
