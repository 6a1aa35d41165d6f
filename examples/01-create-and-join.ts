// Create and run threads: ten threads run square_numbers, then all are joined.
// (The Python version prints nothing; neither does this.)
import { Thread } from 'native-threads';

function square_numbers() {
  for (let i = 0; i < 1000; i++) {
    const result = i * i;
  }
}

const threads: Thread[] = [];
const num_threads = 10;

for (let i = 0; i < num_threads; i++) {
  const thread = new Thread({ target: square_numbers });
  threads.push(thread);
}

for (const thread of threads) {
  thread.start();
}

for (const thread of threads) {
  thread.join();
}
