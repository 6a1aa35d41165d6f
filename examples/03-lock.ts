// Avoid race conditions with locks: the same two threads, now taking a lock
// around read-modify-write, end at 2.
import { Lock, Thread, Value, print } from 'native-threads';

const database_value = new Value('i32', 0);

async function increase(lock: Lock, database_value: Value) {
  const { sleep } = await import('native-threads');

  lock.acquire();
  let local_copy = database_value.value;
  local_copy += 1;
  sleep(100);
  database_value.value = local_copy;
  lock.release();
}

const lock = new Lock();

print('Start value: ', database_value.value);

const t1 = new Thread({ target: increase, args: [lock, database_value] });
const t2 = new Thread({ target: increase, args: [lock, database_value] });

t1.start();
t2.start();

t1.join();
t2.join();

print('End value:', database_value.value);
