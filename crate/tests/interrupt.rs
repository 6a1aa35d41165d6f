//! interrupt_all wakes every new kind of wait (RLock, Condition, Semaphore,
//! Event, Barrier arrive and wait, priority/lifo queues) with `Interrupted`,
//! and later waits fail at once. Interruption is process-wide and permanent,
//! so this binary holds a single test.

#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use native_threads::barrier::{Arrive, Barrier};
use native_threads::condition::Condition;
use native_threads::error::Error;
use native_threads::event::Event;
use native_threads::park::{self, Timeout};
use native_threads::queue::{Flavor, Get, Queue};
use native_threads::rlock::RLock;
use native_threads::semaphore::Semaphore;

type Blocked = thread::JoinHandle<Result<(), Error>>;

#[test]
fn interrupt_wakes_every_new_kind_of_wait() {
    let rlock = Arc::new(RLock::new());
    assert!(rlock.acquire(1, Timeout::Now).unwrap());
    let cond = Arc::new(Condition::new());
    let ticket = cond.register();
    let sem = Arc::new(Semaphore::new(0, false));
    let event = Arc::new(Event::new());
    let draining = Arc::new(Barrier::new(1));
    assert!(matches!(
        draining.arrive(Timeout::Now).unwrap(),
        Arrive::Ticket(_)
    ));
    let filling = Arc::new(Barrier::new(2));
    let Arrive::Ticket(arrival) = filling.arrive(Timeout::Now).unwrap() else {
        panic!("arrive");
    };
    let pq = Arc::new(Queue::with_flavor(0, Flavor::Priority));
    let lq = Arc::new(Queue::with_flavor(1, Flavor::Lifo));
    lq.put(vec![0; 4], Timeout::Now).unwrap();
    // A queue whose ring has a position claimed and never published (an isolate
    // terminated at exit inside a put), as JS claims it: a CAS on the ring's TAIL
    // word in the shared cells. Its getters wait for that item; they must end at
    // exit too.
    let stuck = Arc::new(Queue::with_lane(0, Flavor::Fifo));
    let [header_cell, _] = stuck.lane().expect("a lane");
    let chunk =
        native_threads::words::chunk(header_cell / native_threads::words::CHUNK_CELLS as u32)
            .unwrap();
    // TAIL is the header's word 0: the low half of its first cell (little-endian).
    let tail = &chunk[header_cell as usize % native_threads::words::CHUNK_CELLS];
    assert_eq!(
        tail.compare_exchange(
            0,
            1,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst
        ),
        Ok(0)
    );
    assert_eq!(stuck.len(), 1, "the claimed position counts");

    let mut blocked: Vec<(&str, Blocked)> = Vec::new();
    let r = rlock.clone();
    blocked.push((
        "rlock",
        thread::spawn(move || r.acquire(2, Timeout::Forever).map(drop)),
    ));
    let c = cond.clone();
    blocked.push((
        "condition",
        thread::spawn(move || c.wait(ticket, Timeout::Forever).map(drop)),
    ));
    let s = sem.clone();
    blocked.push((
        "semaphore",
        thread::spawn(move || s.acquire(Timeout::Forever).map(drop)),
    ));
    let e = event.clone();
    blocked.push((
        "event",
        thread::spawn(move || e.wait(Timeout::Forever).map(drop)),
    ));
    let d = draining.clone();
    blocked.push((
        "barrier arrive",
        thread::spawn(move || d.arrive(Timeout::Forever).map(drop)),
    ));
    let f = filling.clone();
    blocked.push((
        "barrier wait",
        thread::spawn(move || f.wait(arrival, Timeout::Forever).map(drop)),
    ));
    let q = pq.clone();
    blocked.push((
        "priority get",
        thread::spawn(move || q.get(Timeout::Forever).map(drop)),
    ));
    let q = stuck.clone();
    blocked.push((
        "get of an item never published",
        thread::spawn(move || q.get(Timeout::Forever).map(drop)),
    ));
    let q = lq.clone();
    blocked.push((
        "lifo put",
        thread::spawn(move || q.put(vec![1; 4], Timeout::Forever).map(drop)),
    ));

    thread::sleep(Duration::from_millis(50));
    for (name, h) in &blocked {
        assert!(!h.is_finished(), "{name} should be blocked");
    }
    park::interrupt_all();
    for (name, h) in blocked {
        assert_eq!(h.join().unwrap(), Err(Error::Interrupted), "{name}");
    }
    // The interrupted barrier arrival was withdrawn, not counted as broken.
    assert!(!filling.broken());
    assert_eq!(filling.n_waiting(), 0);
    assert_eq!(cond.waiting(), 0, "the interrupted ticket was withdrawn");
    // Later waits fail at once.
    assert_eq!(sem.acquire(Timeout::Forever), Err(Error::Interrupted));
    assert_eq!(
        event.wait(Timeout::from_ms(1000.0)),
        Err(Error::Interrupted)
    );
    let t = cond.register();
    assert_eq!(cond.wait(t, Timeout::Forever), Err(Error::Interrupted));
    // The item never published stays out of every get, and out of take_all.
    assert_eq!(stuck.get(Timeout::Now), Ok(Get::Empty));
    assert!(stuck.take_all().is_empty());
}
