"""Python threading/queue equivalents of bench/cases.mjs, run by bench/run.mjs.

Prints one line `@@RESULT {json}` with the same case names and units
(µs, ns, items/s, ms, MB, ×). Usage: python3 bench/python/bench.py [--quick]
"""
import json
import os
import queue
import statistics
import sys
import threading
import time

QUICK = "--quick" in sys.argv
now = time.perf_counter
out = {"python": sys.version.split()[0], "cases": {}}


def put(name, value):
    out["cases"][name] = value


def check(what, got, want):
    if got != want:
        raise SystemExit(f"{what}: checksum {got}, expected {want}")


def med(xs):
    return statistics.median_low(xs)


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


R = 3 if QUICK else 9

# RSS per thread first, in a process that has started no thread yet
N = 8
before = rss_bytes()
go = threading.Event()
ts = [threading.Thread(target=go.wait) for _ in range(N)]
for t in ts:
    t.start()
time.sleep(0.3)
during = rss_bytes()
go.set()
for t in ts:
    t.join()
put("rssPerThread", (during - before) / N / 2**20)

# Thread start+join of an empty function (Python has no pool: a new OS thread each time)
def empty():
    pass


runs = []
for _ in range(R):
    n = 200 if QUICK else 500
    t0 = now()
    for _ in range(n):
        t = threading.Thread(target=empty)
        t.start()
        t.join()
    runs.append((now() - t0) / n * 1e6)
put("spawnWarm", med(runs))

# a new function each call (compiled from distinct source each time)
runs, k = [], 0
for _ in range(R):
    n = 100 if QUICK else 300
    srcs = []
    for _ in range(n):
        k += 1
        srcs.append(f"lambda box: box.append({k})")
    box, t0 = [], now()
    for s in srcs:
        t = threading.Thread(target=eval(s), args=(box,))
        t.start()
        t.join()
    runs.append((now() - t0) / n * 1e6)
    check("newfn", sum(box), sum(range(k - n + 1, k + 1)))
put("spawnNewFn", med(runs))

# uncontended acquire+release (ns)
lock = threading.Lock()
B = 100_000
runs = []
for _ in range(R):
    t0 = now()
    for _ in range(B):
        lock.acquire()
        lock.release()
    runs.append((now() - t0) / B * 1e9)
put("acquireRelease", med(runs))
rl = threading.RLock()
runs = []
for _ in range(R):
    t0 = now()
    for _ in range(B):
        rl.acquire()
        rl.release()
    runs.append((now() - t0) / B * 1e9)
put("rlockAcquireRelease", med(runs))

# contended counter 2 threads × N (ns/op)
N2 = 20_000 if QUICK else 100_000
runs = []
for _ in range(3 if QUICK else 5):
    lock, box, go = threading.Lock(), [0], threading.Event()

    def body():
        go.wait()
        for _ in range(N2):
            with lock:
                box[0] = box[0] + 1

    ts = [threading.Thread(target=body) for _ in range(2)]
    for t in ts:
        t.start()
    t0 = now()
    go.set()
    for t in ts:
        t.join()
    runs.append((now() - t0) / (2 * N2) * 1e9)
    check("contended", box[0], 2 * N2)
put("contended", med(runs))

RP = 2_000 if QUICK else 10_000


def pingpong(make):
    runs = []
    for _ in range(3 if QUICK else 5):
        main_side, thread_side, count = make()
        t = threading.Thread(target=thread_side)
        t.start()
        t0 = now()
        for _ in range(RP):
            main_side()
        runs.append((now() - t0) / (2 * RP) * 1e6)
        t.join()
        check("pingpong", count[0], RP)
    return med(runs)


def lock_pp():
    l1, l2, count = threading.Lock(), threading.Lock(), [0]
    l1.acquire()
    l2.acquire()

    def th():
        for _ in range(RP):
            l1.acquire()
            count[0] += 1
            l2.release()

    def m():
        l1.release()
        l2.acquire()

    return m, th, count


def event_pp():
    e1, e2, count = threading.Event(), threading.Event(), [0]

    def th():
        for _ in range(RP):
            e1.wait()
            e1.clear()
            count[0] += 1
            e2.set()

    def m():
        e1.set()
        e2.wait()
        e2.clear()

    return m, th, count


def cond_pp():
    c, turn, count = threading.Condition(), [0], [0]

    def th():
        for _ in range(RP):
            with c:
                while turn[0] != 1:
                    c.wait()
                turn[0] = 0
                count[0] += 1
                c.notify()

    def m():
        with c:
            turn[0] = 1
            c.notify()
            while turn[0] != 0:
                c.wait()

    return m, th, count


put("lockPingPong", pingpong(lock_pp))
put("eventPingPong", pingpong(event_pp))
put("conditionPingPong", pingpong(cond_pp))


def queue_run(make, n, objects):
    q, res = make(), [0]

    def consumer():
        s = 0
        if objects:
            for _ in range(n):
                o = q.get()
                s += o["id"] + len(o["tags"])
        else:
            for _ in range(n):
                s += q.get()
        res[0] = s

    def producer():
        if objects:
            for i in range(n):
                q.put({"id": i, "name": f"item-{i}", "tags": ["a", "b", "c"]})
        else:
            for i in range(n):
                q.put(i)

    c = threading.Thread(target=consumer)
    c.start()
    t0 = now()
    p = threading.Thread(target=producer)
    p.start()
    p.join()
    c.join()
    s = now() - t0
    check("queue", res[0], n * (n - 1) // 2 + (3 * n if objects else 0))
    return n / s


QR = 3 if QUICK else 9
put("queueInts", med([queue_run(lambda: queue.Queue(1024), 50_000 if QUICK else 200_000, False) for _ in range(QR)]))
put("simpleQueueInts", med([queue_run(queue.SimpleQueue, 50_000 if QUICK else 200_000, False) for _ in range(QR)]))
put("queueObjects", med([queue_run(lambda: queue.Queue(1024), 20_000 if QUICK else 100_000, True) for _ in range(QR)]))

# CPU split (the GIL serialises it)
W = 400_000 if QUICK else 2_000_000


def work(a, b, box, i):
    h = 0
    for x in range(a, b):
        h = (h + x * 2654435761) & 0xFFFFFFFF
    box[i] = h


runs = []
for _ in range(2 if QUICK else 3):
    box = [0, 0]
    t0 = now()
    t = threading.Thread(target=work, args=(0, 2 * W, box, 0))
    t.start()
    t.join()
    t1 = now() - t0
    one = box[0]
    box = [0, 0]
    t0 = now()
    ts = [threading.Thread(target=work, args=(0, W, box, 0)), threading.Thread(target=work, args=(W, 2 * W, box, 1))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    t2 = now() - t0
    runs.append(t1 / t2)
put("cpuSplit", med(runs))

# seed race (in process)
runs = []
for _ in range(3 if QUICK else 7):
    db = [0]

    def increase():
        local = db[0]
        time.sleep(0.1)
        local += 1
        db[0] = local

    t0 = now()
    a, b = threading.Thread(target=increase), threading.Thread(target=increase)
    a.start()
    b.start()
    a.join()
    b.join()
    runs.append((now() - t0) * 1e3)
    check("race", db[0], 1)
put("raceWarm", med(runs))

# seed queue: ten daemon workers, 20 items, q.join() (workers print under a lock)
runs = []
devnull = open(os.devnull, "w")
for _ in range(3 if QUICK else 7):
    q, lock, total = queue.Queue(), threading.Lock(), [0]

    def worker():
        while True:
            try:
                v = q.get()
            except Exception:
                return
            if v is None:
                q.task_done()
                return
            with lock:
                print(f"in {threading.current_thread().name} got {v}", file=devnull)
                total[0] += v
            q.task_done()

    t0 = now()
    ts = []
    for i in range(10):
        t = threading.Thread(target=worker, name=f"Thread{i + 1}", daemon=True)
        t.start()
        ts.append(t)
    for x in range(20):
        q.put(x)
    q.join()
    runs.append((now() - t0) * 1e3)
    for _ in ts:
        q.put(None)
    for t in ts:
        t.join()
    check("seedQueue", total[0], 190)
put("seedQueueWarm", med(runs))

print("@@RESULT " + json.dumps(out), flush=True)
