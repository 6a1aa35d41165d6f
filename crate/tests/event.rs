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
