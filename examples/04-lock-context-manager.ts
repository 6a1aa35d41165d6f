// Use locks as context managers: `with lock:` becomes lock.with(() => ...),
// which releases the lock however the block ends. (In TypeScript, or on a Node
// with `using`, `using _ = lock.hold();` does the same for a whole scope.)
import { Lock, Thread, Value, print } from 'native-threads';

const database_value = new Value('i32', 0);

async function increase(lock: Lock, database_value: Value) {
  const { sleep } = await import('native-threads');

  lock.with(() => {
    let local_copy = database_value.value;
    local_copy += 1;
    sleep(100);
    database_value.value = local_copy;
  });
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
