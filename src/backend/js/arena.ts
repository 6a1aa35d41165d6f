/**
 * The js backend's shared memory: ONE growable SharedArrayBuffer per process, and
 * a size-class allocator inside it.
 *
 * The first isolate creates the buffer; every worker attaches to the same buffer
 * (it travels in `workerData`). Every shared object lives in the arena and is
 * named by a byte offset, so a handle (registry.ts) resolves to the same memory in
 * every isolate. Each isolate's views cover the length it last saw; `fit(end)`
 * rebuilds them when an offset read from shared memory lies beyond (another
 * isolate grew the buffer). `grow` updates the shared length with sequential
 * consistency before the new memory's offsets are published, so `fit` always
 * finds it. Rule for every module: call `a.fit(off + size)` before touching an
 * offset read from shared memory, and reload `a.i32` (etc.) after it.
 *
 * Allocator: segregated free lists. A request is rounded up to a size class
 * (16-byte steps up to 128 bytes, then two classes per power of two: 3·2^(p-2) and
 * 2^p, up to 1 GiB). Each class has a LIFO free list threaded through the first
 * word of the free blocks; a class with an empty list takes fresh memory from a
 * bump pointer, growing the buffer (doubling, at least to fit) when the bump
 * pointer reaches its end. Blocks are never split, merged or returned to the bump
 * pointer: memory freed in one class is reused only by that class. All of it runs
 * under ALLOC_LOCK (a futex mutex, mutex.ts); the critical sections are a handful
 * of loads and stores, so the lock is held for nanoseconds.
 *
 * Block layout (offsets relative to the payload offset `p` that `alloc` returns;
 * p is 8-aligned, so a payload can hold f64 / i64 fields at 8-aligned offsets):
 *
 * | offset | size | meaning                                                     |
 * |--------|------|-------------------------------------------------------------|
 * | p-8    | 4    | size class index                                            |
 * | p-4    | 4    | tag: BLOCK_USED while allocated, BLOCK_FREE while free       |
 * | p      | 4    | next free block's payload offset (0 = end), on a shared list |
 * | p      | n    | payload, while allocated (not zeroed: callers initialise it) |
 *
 * Arena header (byte offsets; every field is an i32 slot of the `i32` view):
 *
 * | offset | name          | meaning                                                        |
 * |--------|---------------|----------------------------------------------------------------|
 * | 0      | MAGIC         | ARENA_MAGIC once initialised ('NTJ1')                          |
 * | 4      | ALLOC_LOCK    | futex mutex word guarding TOP and FREE_HEADS (mutex.ts states) |
 * | 8      | INTERRUPTED   | 0 = running, 1 = interruptAll() called; sleepers wait on it    |
 * | 12     | TOP           | bump pointer: first byte never handed out                      |
 * | 16     | LIVE          | number of live registry objects                                |
 * | 20     | REG_LOCK      | futex mutex word guarding the registry's free list and table   |
 * | 24     | SLOT_TOP      | registry: next never-used slot index (starts at 1)             |
 * | 28     | SLOT_FREE_HEAD| registry: oldest freed slot (FIFO), 0 = none                   |
 * | 32     | SLOT_FREE_TAIL| registry: newest freed slot, 0 = none                          |
 * | 36     | SLOT_FREE_N   | registry: number of slots on the free list                     |
 * | 64     | FREE_HEADS    | NUM_CLASSES i32: head of each class's free list (0 = empty)    |
 * | 512    | SLOT_DIR      | DIR_ENTRIES i32: byte offset of each slot chunk (0 = absent)   |
 * | 4608   | HEAP_START    | first block header                                             |
 *
 * Invariants: TOP is 8-aligned and TOP ≤ sab.byteLength; a block is allocated, or
 * on exactly one shared free list, or in exactly one isolate's cache; lock order is REG_LOCK before ALLOC_LOCK (never the
 * reverse), and object mutexes (queue, thread record) before ALLOC_LOCK.
 *
 * Small classes (payloads ≤ 512 bytes) also have a per-isolate cache (a plain JS
 * array of free blocks) in front of the shared lists, filled and drained in
 * batches of BATCH under ALLOC_LOCK, so the common alloc/free pair of a queue item
 * costs no atomic operation. A block's header belongs to whoever owns the block
 * (allocated: its user; cached: that isolate; on a shared list: ALLOC_LOCK).
 *
 * Not done: no coalescing, no shrinking; blocks cached by an isolate that ends
 * are lost (at most 2·BATCH per small class per isolate). A worker terminated
 * while holding ALLOC_LOCK leaves it held (only happens at process exit).
 */
import { mutexLock, mutexUnlock } from './mutex.js';

export const ARENA_MAGIC = 0x4e544a31; // 'NTJ1'

// Header fields, as i32 indices (byte offset / 4).
export const MAGIC = 0;
export const ALLOC_LOCK = 1;
export const INTERRUPTED = 2;
export const TOP = 3;
export const LIVE = 4;
export const REG_LOCK = 5;
export const SLOT_TOP = 6;
export const SLOT_FREE_HEAD = 7;
export const SLOT_FREE_TAIL = 8;
export const SLOT_FREE_N = 9;
export const FREE_HEADS = 64 >> 2;
export const NUM_CLASSES = 54;
export const SLOT_DIR = 512 >> 2;
export const DIR_ENTRIES = 1024;
export const HEAP_START = 512 + DIR_ENTRIES * 4;

/**
 * Every registry object (every kind: registry.ts KIND_*) is allocated this
 * many bytes, whatever it uses, so `resolve` can `fit(off + OBJECT_BYTES)` without
 * knowing the kind's size (and all objects share one size class).
 */
export const OBJECT_BYTES = 48;

const BLOCK_USED = 0x55534544; // 'USED'
const BLOCK_FREE = 0x46524545; // 'FREE'

const INITIAL_BYTES = 1 << 20;
const GROW_STEP = 1 << 16;
/** Classes below this (payloads up to 512 bytes) go through the per-isolate caches. */
const CACHED_CLASSES = 12;
/** Blocks moved between a cache and the shared free list at a time. */
const BATCH = 32;
/** Largest payload: the largest size class. */
const MAX_BLOCK = 2 ** 30;
/** Largest arena we ask V8 to reserve address space for; smaller tries follow if refused. */
const MAX_BYTES_CHOICES = [2 ** 31 - GROW_STEP, 2 ** 30, 2 ** 28];

/** Payload bytes of size class `c`. */
export function classSize(c: number): number {
  if (c < 8) return (c + 1) << 4;
  const p = 8 + ((c - 8) >> 1);
  return (c & 1) === 0 ? 3 << (p - 2) : 1 << p;
}

/** Smallest size class holding `n` bytes. */
export function sizeClass(n: number): number {
  if (n <= 128) return n <= 16 ? 0 : (n - 1) >> 4;
  const p = 32 - Math.clz32(n - 1); // 2^(p-1) < n ≤ 2^p, p ≥ 8
  return 8 + ((p - 8) << 1) + (n <= 3 << (p - 2) ? 0 : 1);
}

interface GrowableSharedArrayBufferConstructor {
  new (byteLength: number, options: { maxByteLength: number }): SharedArrayBuffer;
}
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(newLength: number): void;
}

export class Arena {
  readonly sab: GrowableSharedArrayBuffer;
  /**
   * Views over the first `limit` bytes. Fixed-length views, not length-tracking
   * ones: V8 (Node 20) compiles element and Atomics access on length-tracking
   * views of a growable buffer to slow paths, 5–10× slower. So after another
   * isolate grows the buffer, this isolate's views are short until `fit` (called
   * before touching any offset read from shared memory) rebuilds them.
   */
  i32!: Int32Array;
  u8!: Uint8Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  i64!: BigInt64Array;
  /** Bytes the views cover. */
  limit = 0;
  /**
   * This isolate's own free blocks of the small classes: alloc/free of a small
   * block touch no shared word unless the list is empty (refill one batch from the
   * shared list) or too long (spill one batch to it). Lost if the isolate ends.
   */
  private readonly cache: number[][] = Array.from({ length: CACHED_CLASSES }, () => []);

  private constructor(sab: SharedArrayBuffer) {
    this.sab = sab as GrowableSharedArrayBuffer;
    this.refresh();
  }

  /** A fresh arena, for the first isolate of the process. */
  static create(): Arena {
    let sab: SharedArrayBuffer | undefined;
    let failure: unknown;
    const Ctor = SharedArrayBuffer as unknown as GrowableSharedArrayBufferConstructor;
    for (const max of MAX_BYTES_CHOICES) {
      try {
        sab = new Ctor(INITIAL_BYTES, { maxByteLength: max });
        break;
      } catch (error) {
        failure = error;
      }
    }
    if (sab === undefined) {
      throw new Error('native-threads: cannot reserve a growable SharedArrayBuffer', { cause: failure });
    }
    const a = new Arena(sab);
    const i32 = a.i32;
    i32[TOP] = HEAP_START;
    i32[SLOT_TOP] = 1; // slot 0 is never used, so no handle is 0
    Atomics.store(i32, MAGIC, ARENA_MAGIC);
    return a;
  }

  /** Attach to an arena another isolate created (its `workerData()`). */
  static attach(data: unknown): Arena {
    if (!(data instanceof SharedArrayBuffer) || !(data as GrowableSharedArrayBuffer).growable) {
      throw new TypeError('native-threads: js backend worker data must be the arena SharedArrayBuffer');
    }
    const a = new Arena(data);
    if (Atomics.load(a.i32, MAGIC) !== ARENA_MAGIC) {
      throw new TypeError('native-threads: js backend worker data is not an initialised arena');
    }
    return a;
  }

  /**
   * Make the views cover byte offsets below `end`. Every offset read from shared
   * memory was allocated (and so the buffer grown) before it was published, so by
   * the time this isolate reads it, `sab.byteLength` covers it.
   * Reload `a.i32` etc. after calling: the views may be new objects.
   */
  fit(end: number): void {
    if (end > this.limit) this.refresh();
  }

  /** Rebuild the views over the buffer's current length. */
  refresh(): void {
    const sab = this.sab;
    const len = sab.byteLength;
    if (len === this.limit) return;
    this.i32 = new Int32Array(sab, 0, len >> 2);
    this.u8 = new Uint8Array(sab, 0, len);
    this.u32 = new Uint32Array(sab, 0, len >> 2);
    this.f64 = new Float64Array(sab, 0, len >> 3);
    this.i64 = new BigInt64Array(sab, 0, len >> 3);
    this.limit = len;
  }

  /** An 8-aligned payload of at least `n` bytes, contents undefined, inside the views. Throws RangeError when the arena is full. */
  alloc(n: number): number {
    if (n > MAX_BLOCK) throw new RangeError(`native-threads js backend: block of ${n} bytes is too large`);
    const c = sizeClass(n);
    if (c < CACHED_CLASSES) {
      const cached = this.cache[c];
      if (cached.length === 0) this.refill(c, cached);
      const p = cached.pop();
      if (p !== undefined) {
        this.i32[(p >> 2) - 1] = BLOCK_USED; // our block: no other isolate reads its tag
        return p;
      }
    }
    return this.allocShared(c);
  }

  /** Move up to BATCH blocks of class `c` from the shared free list to `cached`. */
  private refill(c: number, cached: number[]): void {
    mutexLock(this.i32, ALLOC_LOCK);
    let p = this.i32[FREE_HEADS + c];
    while (p !== 0 && cached.length < BATCH) {
      this.fit(p + 4);
      cached.push(p);
      p = this.i32[p >> 2];
    }
    this.i32[FREE_HEADS + c] = p;
    mutexUnlock(this.i32, ALLOC_LOCK);
  }

  /** Move BATCH blocks from `cached` to the shared free list of class `c`. */
  private spill(c: number, cached: number[]): void {
    const i32 = this.i32;
    mutexLock(i32, ALLOC_LOCK);
    for (let k = 0; k < BATCH; k++) {
      const p = cached.pop() as number;
      i32[p >> 2] = i32[FREE_HEADS + c];
      i32[FREE_HEADS + c] = p;
    }
    mutexUnlock(i32, ALLOC_LOCK);
  }

  private allocShared(c: number): number {
    let i32 = this.i32;
    mutexLock(i32, ALLOC_LOCK);
    const head = i32[FREE_HEADS + c];
    if (head !== 0) {
      this.fit(head + 4);
      i32 = this.i32;
      i32[FREE_HEADS + c] = i32[head >> 2];
      i32[(head >> 2) - 1] = BLOCK_USED;
      mutexUnlock(i32, ALLOC_LOCK);
      return head;
    }
    const top = i32[TOP];
    const end = top + 8 + classSize(c);
    if (end > this.limit) {
      this.refresh();
      if (end > this.limit) {
        try {
          this.growTo(end);
        } catch (error) {
          mutexUnlock(i32, ALLOC_LOCK);
          throw error;
        }
        this.refresh();
      }
      i32 = this.i32;
    }
    i32[TOP] = end;
    i32[top >> 2] = c;
    i32[(top >> 2) + 1] = BLOCK_USED;
    mutexUnlock(i32, ALLOC_LOCK);
    return top + 8;
  }

  /** Return a payload from `alloc` (inside the views) to its class's free list. */
  free(p: number): void {
    const i32 = this.i32;
    const h = (p >> 2) - 2;
    // The block is the caller's alone, so its header needs no lock.
    if (i32[h + 1] !== BLOCK_USED) {
      throw new Error(`native-threads js backend: free of a block that is not allocated (${p})`);
    }
    const c = i32[h];
    i32[h + 1] = BLOCK_FREE;
    if (c < CACHED_CLASSES) {
      const cached = this.cache[c];
      cached.push(p);
      if (cached.length >= 2 * BATCH) this.spill(c, cached);
      return;
    }
    mutexLock(i32, ALLOC_LOCK);
    i32[p >> 2] = i32[FREE_HEADS + c];
    i32[FREE_HEADS + c] = p;
    mutexUnlock(i32, ALLOC_LOCK);
  }

  /** Bytes handed out by the bump pointer so far (for tests and diagnostics). */
  used(): number {
    return Atomics.load(this.i32, TOP);
  }

  // Called with ALLOC_LOCK held.
  private growTo(end: number): void {
    const sab = this.sab;
    const max = sab.maxByteLength;
    if (end > max) {
      throw new RangeError(`native-threads js backend: out of shared memory (${max} bytes)`);
    }
    let size = Math.max(end, sab.byteLength * 2);
    size = Math.min(max, Math.ceil(size / GROW_STEP) * GROW_STEP);
    sab.grow(size);
  }
}
