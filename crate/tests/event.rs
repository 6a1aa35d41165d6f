//! Event scenarios: smoke, wait returns at once when set, timeouts, set wakes
//! every waiter, a waiter woken by set returns true even if clear follows.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use native_threads::event::Event;
use native_threads::park::Timeout;

#[test]
fn smoke() {
    let e = Event::new();
    assert!(!e.is_set());
    assert!(!e.wait(Timeout::Now).unwrap());
    e.set();
    assert!(e.is_set());
    assert!(e.wait(Timeout::Now).unwrap());
    assert!(e.wait(Timeout::Forever).unwrap(), "set: returns at once");
    e.clear();
    assert!(!e.is_set());
}

#[test]
fn wait_times_out() {
    let e = Event::new();
    let t0 = Instant::now();
    assert!(!e.wait(Timeout::from_ms(40.0)).unwrap());
    assert!(t0.elapsed() >= Duration::from_millis(35));
}

#[test]
fn set_wakes_every_waiter_even_if_cleared_right_after() {
    let e = Arc::new(Event::new());
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let e = e.clone();
            thread::spawn(move || e.wait(Timeout::from_ms(5000.0)).unwrap())
        })
        .collect();
    thread::sleep(Duration::from_millis(30));
    e.set();
    e.clear();
    for h in hs {
        assert!(h.join().unwrap());
    }
    assert!(!e.is_set());
}

/// The event's word, as JS reads it.
fn word(e: &Event) -> u32 {
    let cell = e.cell().expect("a shared cell");
    let chunk =
        native_threads::words::chunk(cell / native_threads::words::CHUNK_CELLS as u32).unwrap();
    chunk[cell as usize % native_threads::words::CHUNK_CELLS]
        .load(std::sync::atomic::Ordering::Acquire) as u32
}

#[test]
fn wait_since_counts_a_set_made_after_the_word_was_read_even_if_cleared() {
    let e = Event::new();
    let seen = word(&e);
    assert_eq!(seen & 1, 0, "clear");
    // A pulse between the caller's read and its wait.
    e.set();
    assert_eq!(word(&e) & 1, 1, "the word shows the flag");
    e.clear();
    assert_eq!(word(&e) & 1, 0);
    assert!(
        e.wait_since(seen, Timeout::Now).unwrap(),
        "the pulse counts"
    );
    // With the current value, nothing happened since: a timed wait times out.
    assert!(!e.wait_since(word(&e), Timeout::from_ms(20.0)).unwrap());
}

#[test]
fn a_watched_or_waited_event_is_set_through_the_crate_once() {
    let e = Event::new();
    assert!(e.set_fast(), "nobody waits: the word alone");
    assert!(e.set_fast(), "already set");
    e.clear();
    e.mark_watched();
    assert!(!e.set_fast(), "a watcher needs the crate's epoch bump");
    e.set();
    assert!(e.is_set());
    e.clear();
    assert!(
        e.set_fast(),
        "the crate's set woke everyone and dropped the mark"
    );
    e.clear();
    // A wait that does not block leaves no mark.
    assert!(!e.wait(Timeout::Now).unwrap());
    assert!(e.set_fast());
    e.clear();
    // A timed-out waiter leaves the mark: the next set goes through the crate.
    assert!(!e.wait(Timeout::from_ms(1.0)).unwrap());
    assert!(!e.set_fast());
}
