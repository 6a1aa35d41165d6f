// Share data between threads: two threads increase a shared value without a lock.
// Both read 0 before either writes, so the end value is 1, not 2.
import { Thread, Value, print } from 'native-threads';

// Shared global variable. Threads share no JavaScript variables, so the
// "database" is a Value: one number every thread sees.
const database_value = new Value('i32', 0);

// A thread target is shipped by its source: what it needs comes in as arguments
// or through import().
async function increase(database_value: Value) {
  const { sleep } = await import('native-threads');

  // Read the current value from the shared database
  let local_copy = database_value.value;

  // Simulate some time-consuming operation
  sleep(100);

  // Increment the local copy
  local_copy += 1;

  // Write the updated value back to the shared database
  database_value.value = local_copy;
}

print('Start value: ', database_value.value);

// Create two threads
const t1 = new Thread({ target: increase, args: [database_value] });
const t2 = new Thread({ target: increase, args: [database_value] });

// Start the threads
t1.start();
t2.start();

// Wait for both threads to finish
t1.join();
t2.join();

// Display the final value of the shared database
print('End value:', database_value.value);
