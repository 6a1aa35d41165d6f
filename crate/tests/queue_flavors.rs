//! Queue flavors: LIFO order, priority order (numbers, strings, arrays,
//! shorter tuple first, ties in put order), Incomparable leaving the queue
//! unchanged, incomparable siblings met in a pop, the key comparator itself,
//! and SimpleQueue (unbounded, no task tracking, shutdown).

#![cfg(not(loom))]

use std::cmp::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use native_threads::park::Timeout;
use native_threads::queue::{compare_priority_keys, Flavor, Get, Put, Queue, TaskDone};

// Key elements (src/backend/types.ts): tag, u32 LE length, payload.
fn el(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend((payload.len() as u32).to_le_bytes());
    v.extend(payload);
    v
}

/// An order-preserving encoding of an f64 (sign bit flipped for positives,
/// every bit flipped for negatives), big-endian.
fn num(x: f64) -> Vec<u8> {
    let b = x.to_bits();
    let k = if b >> 63 == 0 { b ^ (1 << 63) } else { !b };
    el(0x01, &k.to_be_bytes())
}

fn string(s: &str) -> Vec<u8> {
    el(0x02, s.as_bytes())
}

fn tuple(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut v = el(0x03, &[]);
    for p in parts {
        v.extend(p);
    }
    v.extend(el(0x04, &[]));
    v
}

fn drain(q: &Queue) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Get::Item(v) = q.get(Timeout::Now).unwrap() {
        out.push(v);
    }
    out
}

fn put(q: &Queue, name: &str, key: Vec<u8>) -> Put {
    q.put_keyed(name.as_bytes().to_vec(), key, Timeout::Now)
        .unwrap()
}

fn names(items: Vec<Vec<u8>>) -> Vec<String> {
    items
        .into_iter()
        .map(|v| String::from_utf8(v).unwrap())
        .collect()
}

#[test]
fn flavor_names() {
    for f in [Flavor::Fifo, Flavor::Lifo, Flavor::Priority, Flavor::Simple] {
        assert_eq!(Flavor::parse(f.name()), Some(f));
    }
    assert_eq!(Flavor::parse("heap"), None);
}

#[test]
fn lifo_is_a_stack() {
    let q = Queue::with_flavor(3, Flavor::Lifo);
    assert_eq!(q.flavor(), Flavor::Lifo);
    for i in 0..3u8 {
        assert_eq!(q.put(vec![i], Timeout::Now).unwrap(), Put::Ok);
    }
    assert_eq!(q.put(vec![9], Timeout::Now).unwrap(), Put::Full(vec![9]));
    assert_eq!(drain(&q), vec![vec![2], vec![1], vec![0]]);
    assert_eq!(q.unfinished(), 3, "task tracking as for fifo");
}

#[test]
fn comparator_matches_types_ts() {
    use Ordering::*;
    assert_eq!(compare_priority_keys(&num(1.0), &num(2.0)), Some(Less));
    assert_eq!(compare_priority_keys(&num(-1.5), &num(-2.0)), Some(Greater));
    assert_eq!(compare_priority_keys(&num(3.0), &num(3.0)), Some(Equal));
    assert_eq!(
        compare_priority_keys(&string("ab"), &string("b")),
        Some(Less)
    );
    assert_eq!(
        compare_priority_keys(&string("ab"), &string("a")),
        Some(Greater),
        "longer"
    );
    assert_eq!(compare_priority_keys(&string(""), &string("")), Some(Equal));
    assert_eq!(compare_priority_keys(&num(1.0), &string("a")), None);
    assert_eq!(compare_priority_keys(&num(1.0), &tuple(&[num(1.0)])), None);
    let short = tuple(&[num(1.0)]);
    let long = tuple(&[num(1.0), num(0.0)]);
    assert_eq!(
        compare_priority_keys(&short, &long),
        Some(Less),
        "shorter tuple first"
    );
    assert_eq!(compare_priority_keys(&long, &short), Some(Greater));
    assert_eq!(
        compare_priority_keys(&[], &num(1.0)),
        Some(Less),
        "an empty key ends first"
    );
    assert_eq!(compare_priority_keys(&num(1.0), &[]), Some(Greater));
    assert_eq!(compare_priority_keys(&[], &[]), Some(Equal));
    let mixed_a = tuple(&[num(1.0), string("x")]);
    let mixed_b = tuple(&[num(1.0), num(2.0)]);
    assert_eq!(compare_priority_keys(&mixed_a, &mixed_b), None);
    let decided = tuple(&[num(2.0), num(2.0)]);
    assert_eq!(
        compare_priority_keys(&mixed_a, &decided),
        Some(Less),
        "decided early"
    );
    // Malformed keys do not panic and end (JS reads missing bytes as NaN → 1).
    assert_eq!(
        compare_priority_keys(&[0x01, 9, 0, 0, 0, 1], &[0x01, 9, 0, 0, 0, 1]),
        Some(Greater)
    );
    assert_eq!(compare_priority_keys(&[0x01], &[0x01, 0]), Some(Equal));
}

#[test]
fn priority_orders_numbers_with_ties_in_put_order() {
    let q = Queue::with_flavor(0, Flavor::Priority);
    for (name, k) in [
        ("c", 3.0),
        ("a1", 1.0),
        ("neg", -7.5),
        ("b", 2.0),
        ("a2", 1.0),
        ("a3", 1.0),
    ] {
        assert_eq!(put(&q, name, num(k)), Put::Ok);
    }
    assert_eq!(names(drain(&q)), ["neg", "a1", "a2", "a3", "b", "c"]);
}

#[test]
fn priority_orders_strings_and_tuples() {
    let q = Queue::with_flavor(0, Flavor::Priority);
    for s in ["pear", "apple", "fig", "app", "zoo"] {
        assert_eq!(put(&q, s, string(s)), Put::Ok);
    }
    assert_eq!(names(drain(&q)), ["app", "apple", "fig", "pear", "zoo"]);

    let q = Queue::with_flavor(0, Flavor::Priority);
    let items = [
        ("(2,'a')", tuple(&[num(2.0), string("a")])),
        ("(1,)", tuple(&[num(1.0)])),
        ("(1,'b')", tuple(&[num(1.0), string("b")])),
        ("(1,'a')", tuple(&[num(1.0), string("a")])),
        ("()", tuple(&[])),
        ("((0,),)", tuple(&[tuple(&[num(0.0)])])),
    ];
    // `((0,),)` vs `(1,)` is a tuple against a number: put it in its own queue.
    for (name, k) in &items[..5] {
        assert_eq!(put(&q, name, k.clone()), Put::Ok);
    }
    assert_eq!(
        names(drain(&q)),
        ["()", "(1,)", "(1,'a')", "(1,'b')", "(2,'a')"]
    );
    let q = Queue::with_flavor(0, Flavor::Priority);
    assert_eq!(put(&q, "(1,)", items[1].1.clone()), Put::Ok);
    assert_eq!(
        put(&q, "((0,),)", items[5].1.clone()),
        Put::Incomparable(b"((0,),)".to_vec())
    );
}

#[test]
fn incomparable_key_leaves_the_queue_unchanged() {
    let q = Queue::with_flavor(0, Flavor::Priority);
    assert_eq!(put(&q, "one", num(1.0)), Put::Ok);
    assert_eq!(put(&q, "two", num(2.0)), Put::Ok);
    assert_eq!(put(&q, "three", num(3.0)), Put::Ok);
    assert_eq!(
        put(&q, "str", string("x")),
        Put::Incomparable(b"str".to_vec())
    );
    assert_eq!(q.len(), 3);
    assert_eq!(q.unfinished(), 3);
    assert_eq!(names(drain(&q)), ["one", "two", "three"]);
    // A full queue reports Full before the key is looked at (CPython blocks first).
    let bounded = Queue::with_flavor(1, Flavor::Priority);
    assert_eq!(put(&bounded, "n", num(0.0)), Put::Ok);
    assert_eq!(put(&bounded, "s", string("s")), Put::Full(b"s".to_vec()));
}

#[test]
fn incomparable_siblings_met_in_a_pop_count_as_equal() {
    // (2,'x') and (2,5) are each compared only with the root (0,0) on the way
    // in, so both are accepted; the pop then compares them with each other.
    let q = Queue::with_flavor(0, Flavor::Priority);
    assert_eq!(put(&q, "root", tuple(&[num(0.0), num(0.0)])), Put::Ok);
    assert_eq!(put(&q, "x", tuple(&[num(2.0), string("x")])), Put::Ok);
    assert_eq!(put(&q, "five", tuple(&[num(2.0), num(5.0)])), Put::Ok);
    assert_eq!(names(drain(&q)), ["root", "x", "five"], "put order decides");
}

#[test]
fn priority_get_blocks_until_put() {
    let q = Arc::new(Queue::with_flavor(0, Flavor::Priority));
    let q2 = q.clone();
    let getter = thread::spawn(move || q2.get(Timeout::from_ms(5000.0)).unwrap());
    thread::sleep(Duration::from_millis(20));
    assert_eq!(put(&q, "k", num(1.0)), Put::Ok);
    assert_eq!(getter.join().unwrap(), Get::Item(b"k".to_vec()));
}

#[test]
fn priority_stress_pops_in_sorted_order() {
    let q = Queue::with_flavor(0, Flavor::Priority);
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut keys = Vec::new();
    for i in 0..500u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % 50) as f64;
        keys.push((k, i));
        assert_eq!(
            q.put_keyed(i.to_le_bytes().to_vec(), num(k), Timeout::Now)
                .unwrap(),
            Put::Ok
        );
    }
    keys.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let got: Vec<u32> = drain(&q)
        .into_iter()
        .map(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
        .collect();
    assert_eq!(got, keys.into_iter().map(|(_, i)| i).collect::<Vec<_>>());
}

#[test]
fn simple_queue_is_unbounded_fifo_without_task_tracking() {
    let q = Queue::with_flavor(2, Flavor::Simple);
    assert_eq!(q.maxsize(), 0, "maxsize ignored");
    for i in 0..10u8 {
        assert_eq!(q.put(vec![i], Timeout::Now).unwrap(), Put::Ok);
    }
    assert_eq!(q.unfinished(), 0);
    assert!(
        q.join(Timeout::Now).unwrap(),
        "join is harmless: nothing tracked"
    );
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::Item(vec![0]));
    assert_eq!(q.task_done(), TaskDone::NoTask, "task_done is harmless");
    assert_eq!(q.len(), 9);
    assert_eq!(q.shutdown(true).len(), 9);
    assert_eq!(
        q.put(vec![1], Timeout::Now).unwrap(),
        Put::ShutDown(vec![1])
    );
    assert_eq!(q.get(Timeout::Now).unwrap(), Get::ShutDown);
}

#[test]
fn shutdown_wakes_a_blocked_simple_getter() {
    let q = Arc::new(Queue::with_flavor(0, Flavor::Simple));
    let q2 = q.clone();
    let getter = thread::spawn(move || q2.get(Timeout::Forever).unwrap());
    thread::sleep(Duration::from_millis(20));
    q.shutdown(false);
    assert_eq!(getter.join().unwrap(), Get::ShutDown);
}
