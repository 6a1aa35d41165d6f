// Daemon threads: a daemon thread prints once a second, forever; the main
// program ends after five seconds and the daemon ends with it.
import { Thread, print, sleep } from 'native-threads';

async function daemon_task() {
  const { print, sleep } = await import('native-threads');
  while (true) {
    print('Daemon thread is running.');
    sleep(1000);
  }
}

const daemon_thread = new Thread({ target: daemon_task });
daemon_thread.daemon = true;
daemon_thread.start();

sleep(5000); // Main program continues for 5 seconds
print('Main program is done.');
