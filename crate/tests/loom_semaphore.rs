//! Loom models of `Semaphore` (the shipped code, through the `sync.rs` shim).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p native-threads --test loom_semaphore`
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;

use native_threads::park::Timeout;
use native_threads::semaphore::Semaphore;

/// One permit, two threads acquire (blocking) and release: never both inside,
/// and the permit is back at the end (none lost, none made).
#[test]
fn permits_conserved() {
    loom::model(|| {
        let s = Arc::new(Semaphore::new(1, true));
        let inside = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let (s, inside) = (s.clone(), inside.clone());
                thread::spawn(move || {
                    assert!(s.acquire(Timeout::Forever).unwrap());
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                    inside.fetch_sub(1, Ordering::SeqCst);
                    assert!(s.release(1));
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(s.value(), 1);
    });
}

/// release(2) from another thread wakes both blocked acquirers.
#[test]
fn release_n_wakes_n() {
    loom::model(|| {
        let s = Arc::new(Semaphore::new(0, false));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || assert!(s.acquire(Timeout::Forever).unwrap()))
            })
            .collect();
        assert!(s.release(2));
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(s.value(), 0);
    });
}
