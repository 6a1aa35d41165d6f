// Multithreading with queues: ten daemon worker threads take numbers from a
// queue and print them; the main thread waits with q.join() until every item
// is done, then ends, and the daemon workers end with it.
import { Lock, Queue, Thread, print } from 'native-threads';

// Worker function to be executed by each thread
async function worker(q: Queue<number>, lock: Lock) {
  const { currentThread, print } = await import('native-threads');
  while (true) {
    const value = q.get(); // Blocks until an item is available in the queue

    // Do some processing with the value (printing in this case)
    lock.with(() => {
      // Use a lock to prevent multiple threads from printing simultaneously
      print(`in ${currentThread().name} got ${value}`);
    });

    // Notify the queue that the processing on this item is complete
    q.taskDone();
  }
}

// Create a thread-safe queue and a lock for printing
const q = new Queue<number>();
const lock = new Lock();

// Create 10 daemon threads, each invoking the worker function
const num_threads = 10;
for (let i = 0; i < num_threads; i++) {
  const t = new Thread({ name: `Thread${i + 1}`, target: worker, args: [q, lock] });
  t.daemon = true; // Threads die when the main thread exits
  t.start();
}

// Fill the queue with items (numbers from 0 to 19)
for (let x = 0; x < 20; x++) {
  q.put(x);
}

// Wait until all items in the queue have been processed by the worker threads
q.join();

// Main thread continues only after all items are processed
print('main done');
