// Using queues: a FIFO queue, first in, first out.
import { Queue, print } from 'native-threads';

// create queue
const q = new Queue<number>();

// add elements
q.put(1); // 1
q.put(2); // 2 1
q.put(3); // 3 2 1

// now q looks like this:
// back --> 3 2 1 --> front

// get and remove first element
const first = q.get(); // --> 1
print(first);

// q looks like this:
// back --> 3 2 --> front
