/**
 * The no-lost-data scenario, shared by test/stress.test.ts and the soak
 * (test/soak.ts): 8 producer threads and 8 consumer threads on a bounded Queue,
 * with timeouts; the main thread also puts with putAsync and gets with getAsync,
 * aborting some of them; a shutdown() in the middle; then the main thread drains
 * what is left. Every item whose put succeeded must be got exactly once.
 */
import { Queue, ShutDown, spawn, type Thread } from 'native-threads';

export interface StressResult {
  /** Items whose put succeeded (threads and main). */
  put: number;
  /** Items got (threads, main's getAsync, and the drain). */
  got: number;
  /** Of those, got by the drain after shutdown. */
  drained: number;
  /** putAsync/getAsync calls aborted (their promise rejected with the abort reason). */
  aborted: number;
  /** put/get calls that timed out (Full/Empty) and were retried. */
  timeouts: number;
  /** Descriptions of every violation: lost, duplicated, corrupted items. Empty when all is well. */
  problems: string[];
}

const PRODUCERS = 8;
const CONSUMERS = 8;
/** The main thread's putAsync producer. */
const MAIN_PRODUCER = PRODUCERS;

/** An item: producer p's i-th successful put, with a checksum of both. */
type Item = [p: number, i: number, check: number];
const checksum = (p: number, i: number): number => (Math.imul(p + 1, 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b)) >>> 0;

export async function stressOnce(options: { runMs?: number; maxsize?: number; consumersStopEarly?: boolean } = {}): Promise<StressResult> {
  const runMs = options.runMs ?? 1500;
  // With consumersStopEarly, the consumer threads stop at 60% of the run: the queue
  // fills up, and the drain after shutdown finds it full.
  const consumersStopAt = options.consumersStopEarly ? Date.now() + runMs * 0.6 : Infinity;
  const q = new Queue<Item>(options.maxsize ?? 16);

  const producers: Thread[] = [];
  for (let p = 0; p < PRODUCERS; p++) {
    producers.push(
      spawn(
        async (q: Queue<Item>, p: number) => {
          const { Full } = await import('native-threads');
          const ck = (p: number, i: number): number => (Math.imul(p + 1, 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b)) >>> 0;
          let i = 0;
          let timeouts = 0;
          for (;;) {
            try {
              q.put([p, i, ck(p, i)], { timeout: 5 + (i % 20) });
              i++;
            } catch (e) {
              if (e instanceof Full) timeouts++;
              else if ((e as Error).name === 'ShutDown') return { puts: i, timeouts };
              else throw e;
            }
          }
        },
        q,
        p,
      ),
    );
  }
  const consumers: Thread[] = [];
  for (let c = 0; c < CONSUMERS; c++) {
    consumers.push(
      spawn(async (q: Queue<Item>, stopAt: number) => {
        const { Empty } = await import('native-threads');
        const got: Item[] = [];
        let timeouts = 0;
        for (;;) {
          if (Date.now() > stopAt) return { got, timeouts };
          try {
            got.push(q.get({ timeout: 5 + (got.length % 20) }));
          } catch (e) {
            if (e instanceof Empty) timeouts++;
            else if ((e as Error).name === 'ShutDown') return { got, timeouts };
            else throw e;
          }
        }
      }, q, consumersStopAt),
    );
  }

  let aborted = 0;
  let mainPuts = 0;
  const mainGot: Item[] = [];
  const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';
  const isShutDown = (e: unknown): boolean => e instanceof ShutDown;
  let stop = false;

  // The main thread's producer: putAsync, every third one aborted at once or soon after.
  const mainProducer = (async () => {
    for (let k = 0; !stop; k++) {
      const ac = new AbortController();
      const item: Item = [MAIN_PRODUCER, mainPuts, checksum(MAIN_PRODUCER, mainPuts)];
      const pending = q.putAsync(item, { signal: ac.signal, timeout: 50 });
      if (k % 3 === 0) ac.abort();
      else if (k % 3 === 1) setTimeout(() => ac.abort(), 1);
      try {
        await pending;
        mainPuts++;
      } catch (e) {
        if (isAbort(e)) aborted++;
        else if (isShutDown(e)) return;
        else if ((e as Error).name !== 'Full') throw e;
      }
    }
  })();
  // The main thread's consumer: getAsync, aborted the same way.
  const mainConsumer = (async () => {
    for (let k = 0; ; k++) {
      const ac = new AbortController();
      if (Date.now() > consumersStopAt) return;
      const pending = q.getAsync({ signal: ac.signal, timeout: 50 });
      if (k % 3 === 0) ac.abort();
      else if (k % 3 === 1) setTimeout(() => ac.abort(), 1);
      try {
        mainGot.push(await pending);
      } catch (e) {
        if (isAbort(e)) aborted++;
        else if (isShutDown(e)) return;
        else if ((e as Error).name !== 'Empty') throw e;
      }
    }
  })();

  await new Promise((r) => setTimeout(r, runMs));
  q.shutdown();
  stop = true;
  await mainProducer;
  // Producers end on ShutDown; consumers once the queue is empty.
  const produced = (await Promise.all(producers.map((t) => t.joinAsync()))) as { puts: number; timeouts: number }[];
  // The main consumer ends on ShutDown too; stop waiting for it after the drain below.
  const drainedItems: Item[] = [];
  for (;;) {
    try {
      drainedItems.push(q.get({ block: false }));
    } catch (e) {
      if (isShutDown(e)) break;
      // Empty: not possible after a shutdown (get throws ShutDown on an empty shut-down queue).
      throw e;
    }
  }
  const consumed = (await Promise.all(consumers.map((t) => t.joinAsync()))) as { got: Item[]; timeouts: number }[];
  await mainConsumer;

  const puts = [...produced.map((r) => r.puts), mainPuts];
  const seen = puts.map((n) => new Uint8Array(n));
  const problems: string[] = [];
  let got = 0;
  const note = (msg: string): void => {
    if (problems.length < 20) problems.push(msg);
  };
  for (const list of [...consumed.map((r) => r.got), mainGot, drainedItems]) {
    for (const item of list) {
      got++;
      const [p, i, check] = item;
      if (!(p >= 0 && p < puts.length) || !(i >= 0 && i < puts[p]!)) note(`item never put: ${JSON.stringify(item)}`);
      else if (check !== checksum(p, i)) note(`corrupted item: ${JSON.stringify(item)}`);
      else if (seen[p]![i]!++ > 0) note(`duplicated item: ${JSON.stringify(item)}`);
    }
  }
  for (let p = 0; p < puts.length; p++) {
    const missing = seen[p]!.indexOf(0);
    if (missing !== -1) note(`lost item: producer ${p}, #${missing} (of ${puts[p]})`);
  }
  const put = puts.reduce((a, b) => a + b, 0);
  if (got !== put) note(`put ${put}, got ${got}`);
  if (q.qsize() !== 0) note(`queue not empty at the end: ${q.qsize()}`);
  return {
    put,
    got,
    drained: drainedItems.length,
    aborted,
    timeouts: produced.reduce((a, r) => a + r.timeouts, 0) + consumed.reduce((a, r) => a + r.timeouts, 0),
    problems,
  };
}
