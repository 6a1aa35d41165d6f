//! Shared cells: 8-byte words that JavaScript may touch directly.
//!
//! Why: a call into the addon costs ~150–250 ns on Node 20 (argument checks,
//! the registry lookup), while an `Atomics.compareExchange` costs ~10 ns. So the
//! state a primitive's fast path needs (a Lock's state word, an RLock's owner
//! and count, a Value's number) lives in a cell here, and every isolate maps the
//! cells' memory as external ArrayBuffers: JS takes an uncontended lock or reads
//! a Value with no call at all, and calls into the addon only to wait or to wake
//! a waiter.
//!
//! Memory: cells are carved from chunks of [`CHUNK_CELLS`] cells, allocated on
//! first need and never freed or moved, so that a chunk's address stays valid
//! for every ArrayBuffer made over it, in any isolate, for the whole process.
//! What they cost is bounded by the peak number of live cells (8 bytes each).
//! A cell returns to a free list when its object is dropped, zeroed; the free
//! list's mutex orders that zeroing before the next owner's first access.
//!
//! One ArrayBuffer per chunk per isolate: V8 must not see two ArrayBuffers over
//! the same memory in one isolate (nodejs/node#32463), so the front end makes
//! each chunk's buffer once and keeps it (`src/backend/native.ts`).
//!
//! When all [`MAX_CHUNKS`] chunks are in use, a cell is a private heap word with
//! no index: its object still works, through addon calls only.
//!
//! A [`Block`] is a run of consecutive cells inside one chunk, for an object whose
//! shared state is more than a word (a queue's header and its ring of items). A
//! block that would straddle a chunk's end starts at the next chunk instead, and
//! the cells skipped go to the single-cell free list; a freed block is kept for
//! the next block of the same size.
//!
//! Under loom a cell is a pair of model atomics, one per width, with no index:
//! an object uses its cell at one width only, so the pair models every access
//! the shipped cell sees from Rust (JS's accesses are not modelled).

#[cfg(loom)]
pub use model::{Block, Cell};

#[cfg(loom)]
mod model {
    use crate::sync::{AtomicU32, AtomicU64};

    /// A loom double of the shared cell (see the module comment).
    pub struct Cell {
        narrow: AtomicU32,
        wide: AtomicU64,
    }

    impl Default for Cell {
        fn default() -> Self {
            Cell::new()
        }
    }

    impl Cell {
        /// A zeroed cell.
        pub fn new() -> Cell {
            Cell {
                narrow: AtomicU32::new(0),
                wide: AtomicU64::new(0),
            }
        }

        /// Never shared under loom.
        pub fn index(&self) -> Option<u32> {
            None
        }

        /// The cell at 64 bits.
        pub fn u64(&self) -> &AtomicU64 {
            &self.wide
        }

        /// The cell at 32 bits.
        pub fn u32(&self) -> &AtomicU32 {
            &self.narrow
        }
    }

    /// A loom double of [`Block`]: its words as model atomics, with no index
    /// (and no bytes: nothing that loom runs reads a block as bytes).
    pub struct Block {
        words: Vec<AtomicU32>,
    }

    impl Block {
        /// `cells` zeroed cells.
        pub fn new(cells: usize) -> Block {
            Block {
                words: (0..2 * cells).map(|_| AtomicU32::new(0)).collect(),
            }
        }

        /// Never shared under loom.
        pub fn index(&self) -> Option<u32> {
            None
        }

        /// The block as 32-bit words.
        pub fn words(&self) -> &[AtomicU32] {
            &self.words
        }
    }
}

#[cfg(not(loom))]
pub use shared::{chunk, Block, Cell, CHUNK_CELLS};

#[cfg(not(loom))]
mod shared {
    use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
    use std::sync::{Mutex, OnceLock};

    /// Cells per chunk: 64 KiB chunks.
    pub const CHUNK_CELLS: usize = 8192;
    /// Chunks at most: 32 Mi cells (256 MiB), far beyond any program's live locks and values.
    const MAX_CHUNKS: usize = 4096;

    static CHUNKS: [OnceLock<Box<[AtomicU64]>>; MAX_CHUNKS] =
        [const { OnceLock::new() }; MAX_CHUNKS];

    struct FreeList {
        free: Vec<u32>,
        /// Freed blocks: (first cell, cells).
        blocks: Vec<(u32, u32)>,
        /// Cells below this index were handed out at least once.
        next: u32,
    }

    static FREE: Mutex<FreeList> = Mutex::new(FreeList {
        free: Vec::new(),
        blocks: Vec::new(),
        next: 0,
    });

    fn free_list() -> std::sync::MutexGuard<'static, FreeList> {
        FREE.lock().unwrap_or_else(|e| e.into_inner())
    }

    enum Storage {
        Shared {
            index: u32,
            word: &'static AtomicU64,
        },
        Private(Box<AtomicU64>),
    }

    /// One 8-byte cell, zero when new.
    pub struct Cell(Storage);

    impl Default for Cell {
        fn default() -> Self {
            Cell::new()
        }
    }

    impl Cell {
        /// A zeroed cell, shared when a chunk has room.
        pub fn new() -> Cell {
            let mut list = free_list();
            let index = match list.free.pop() {
                Some(i) => i,
                None if (list.next as usize) < CHUNK_CELLS * MAX_CHUNKS => {
                    list.next += 1;
                    list.next - 1
                }
                None => return Cell(Storage::Private(Box::new(AtomicU64::new(0)))),
            };
            let word = &chunk_or_create(index as usize / CHUNK_CELLS)[index as usize % CHUNK_CELLS];
            Cell(Storage::Shared { index, word })
        }

        /// The cell's index in the process-wide cell space (chunk × CHUNK_CELLS + offset),
        /// or None for a private cell.
        pub fn index(&self) -> Option<u32> {
            match self.0 {
                Storage::Shared { index, .. } => Some(index),
                Storage::Private(_) => None,
            }
        }

        /// The whole cell.
        pub fn u64(&self) -> &AtomicU64 {
            match &self.0 {
                Storage::Shared { word, .. } => word,
                Storage::Private(word) => word,
            }
        }

        /// The cell's first four bytes (JS sees them at Int32Array index 2 × offset,
        /// whatever the byte order, since both sides address the same bytes).
        ///
        /// An object uses a cell at one width only (a Lock: 32 bits; a Value: its
        /// type's width), so no two accesses of different sizes ever race.
        pub fn u32(&self) -> &AtomicU32 {
            // SAFETY: the pointer is to a live, 8-aligned AtomicU64 that outlives
            // `&self`, so it is valid and 4-aligned for an AtomicU32 over its first
            // four bytes. Mixed-size accesses: an owner uses one width only (above),
            // and the 64-bit zeroing in `drop` happens-before the next owner's first
            // access through the free list's mutex.
            unsafe { AtomicU32::from_ptr(self.u64().as_ptr().cast::<u32>()) }
        }
    }

    impl Drop for Cell {
        fn drop(&mut self) {
            if let Storage::Shared { index, word } = self.0 {
                word.store(0, Ordering::Relaxed);
                free_list().free.push(index);
            }
        }
    }

    enum BlockStorage {
        Shared {
            index: u32,
            cells: &'static [AtomicU64],
        },
        Private(Box<[AtomicU64]>),
    }

    /// Consecutive cells in one chunk, zero when new (see the module comment).
    pub struct Block(BlockStorage);

    impl Block {
        /// `cells` zeroed cells (at most a chunk), shared when a chunk has room.
        pub fn new(cells: usize) -> Block {
            assert!(cells > 0 && cells <= CHUNK_CELLS, "block of {cells} cells");
            let n = cells as u32;
            let mut list = free_list();
            let index = if let Some(at) = list.blocks.iter().position(|&(_, len)| len == n) {
                list.blocks.swap_remove(at).0
            } else {
                let into_chunk = list.next as usize % CHUNK_CELLS;
                if into_chunk + cells > CHUNK_CELLS {
                    let skipped = (CHUNK_CELLS - into_chunk) as u32;
                    let from = list.next;
                    list.free.extend(from..from + skipped);
                    list.next += skipped;
                }
                if list.next as usize + cells > CHUNK_CELLS * MAX_CHUNKS {
                    let private = (0..cells).map(|_| AtomicU64::new(0)).collect();
                    return Block(BlockStorage::Private(private));
                }
                list.next += n;
                list.next - n
            };
            let chunk = chunk_or_create(index as usize / CHUNK_CELLS);
            let at = index as usize % CHUNK_CELLS;
            Block(BlockStorage::Shared {
                index,
                cells: &chunk[at..at + cells],
            })
        }

        /// The first cell's index in the process-wide cell space, or None when private.
        pub fn index(&self) -> Option<u32> {
            match self.0 {
                BlockStorage::Shared { index, .. } => Some(index),
                BlockStorage::Private(_) => None,
            }
        }

        fn cells(&self) -> &[AtomicU64] {
            match &self.0 {
                BlockStorage::Shared { cells, .. } => cells,
                BlockStorage::Private(cells) => cells,
            }
        }

        /// The block as 32-bit words (JS sees word `i` at Int32Array index
        /// 2 × (first cell's offset in its chunk) + i).
        pub fn words(&self) -> &[AtomicU32] {
            let cells = self.cells();
            // SAFETY: `cells` is live, 8-aligned memory of 8 × len bytes that outlives
            // `&self`, so it is valid and 4-aligned for 2 × len AtomicU32. Mixed-size
            // accesses: the block's owner reads and writes its words at 32 bits only
            // (or as bytes, see `bytes`), and the 64-bit zeroing in `drop` happens-
            // before the next owner's first access through the free list's mutex.
            unsafe {
                std::slice::from_raw_parts(cells.as_ptr().cast::<AtomicU32>(), 2 * cells.len())
            }
        }

        /// The block's memory as bytes, for an owner that reads and writes part of it
        /// as plain bytes under its own lock (never through `words` meanwhile).
        pub fn bytes(&self) -> *mut u8 {
            self.cells().as_ptr().cast::<u8>().cast_mut()
        }
    }

    impl Drop for Block {
        fn drop(&mut self) {
            for cell in self.cells() {
                cell.store(0, Ordering::Relaxed);
            }
            if let BlockStorage::Shared { index, cells } = self.0 {
                free_list().blocks.push((index, cells.len() as u32));
            }
        }
    }

    fn chunk_or_create(i: usize) -> &'static [AtomicU64] {
        CHUNKS[i].get_or_init(|| (0..CHUNK_CELLS).map(|_| AtomicU64::new(0)).collect())
    }

    /// Chunk `i`, if it exists yet: its cells' memory, for an external ArrayBuffer.
    pub fn chunk(i: u32) -> Option<&'static [AtomicU64]> {
        CHUNKS.get(i as usize)?.get().map(|c| &**c)
    }
}
