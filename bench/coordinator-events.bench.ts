// Event ingest (batched) events/s (target ≥ 20,000/s on SQLite) and on PostgreSQL; RSS of a coordinator
// holding 100,000 stored events (target ≤ 150 MB); SSE fan-out of a session's events to 100 clients.
import { type StoreKind } from '../test/coordinator/helpers.js';
import { benchCoordinator, fmt, percentile, pollRun, postgresAvailable, registerRunner, rssMb } from './coordinator-kit.js';

const TOTAL_EVENTS = 100_000;
const BATCH = 500;
const SENDERS = 2;
const SSE_CLIENTS = 100;
const SSE_EVENTS = 2_000;

type Coordinator = Awaited<ReturnType<typeof benchCoordinator>>;

async function openRun(c: Coordinator) {
  const api = c.api();
  const runner = await registerRunner(api, ['bench']);
  const { session_id } = (await api('POST', '/v1/sessions', { executor: 'bench', prompt: 'x' })).body;
  const { run } = await pollRun(api, runner);
  let seq = 0;
  const sendBatch = async (size: number) => {
    const events = Array.from({ length: size }, () => ({
      seq: ++seq,
      event: { type: 'message', role: 'assistant', text: `token stream chunk number ${seq} with some realistic length of text` },
    }));
    const res = await api('POST', `/v1/runs/${run.run_id}/events`, { events }, runner.token);
    if (res.status !== 200 || res.body.accepted !== size) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  return { api, session_id, sendBatch };
}

async function ingest(kind: StoreKind): Promise<void> {
  const c = await benchCoordinator(kind);
  try {
    const { api, session_id, sendBatch } = await openRun(c);
    const t0 = performance.now();
    let sent = 0;
    // Batches go out from SENDERS concurrent loops (a runner with several executors reporting at once).
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (sent < TOTAL_EVENTS) {
          sent += BATCH;
          await sendBatch(BATCH);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(`event ingest (${kind}): ${fmt(TOTAL_EVENTS / seconds, 0)} events/s (${TOTAL_EVENTS} events in batches of ${BATCH}, ${SENDERS} senders, ${fmt(seconds)} s; target ≥ 20,000/s on SQLite)`);
    if (kind === 'sqlite') {
      console.log(`coordinator RSS after ingesting ${TOTAL_EVENTS} events: ${fmt(rssMb(c.pid), 1)} MB (target ≤ 150 MB)`);
      await c.restart();
      const api2 = c.api();
      let read = 0;
      for (let after = 0; ; ) {
        const page = (await api2('GET', `/v1/sessions/${session_id}/events?after=${after}&limit=1000`)).body;
        if (page.events.length === 0) break;
        read += page.events.length;
        after = page.next_after;
      }
      console.log(`coordinator RSS after a restart and reading all ${read} stored events back: ${fmt(rssMb(c.pid), 1)} MB (target ≤ 150 MB)`);
    }
    void api;
  } finally {
    await c.stop();
  }
}

/** Open one SSE stream (resolves once its headers arrived); `read` collects the arrival time of `count` events. */
async function sseClient(url: string) {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  return async (count: number): Promise<number[]> => {
    const arrivals: number[] = [];
    let buffer = '';
    while (arrivals.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        if (buffer.slice(0, end).startsWith('id: ')) arrivals.push(performance.now());
        buffer = buffer.slice(end + 2);
      }
    }
    await reader.cancel();
    return arrivals;
  };
}

async function fanOut(): Promise<void> {
  const c = await benchCoordinator('sqlite');
  try {
    const { session_id, sendBatch } = await openRun(c);
    const readers = [];
    for (let i = 0; i < SSE_CLIENTS; i++) readers.push(await sseClient(`${c.url}/v1/sessions/${session_id}/events`));
    const results = Promise.all(readers.map((read) => read(SSE_EVENTS)));
    const t0 = performance.now();
    const sentAt: number[] = [];
    for (let i = 0; i < SSE_EVENTS / 100; i++) {
      const at = performance.now();
      await sendBatch(100);
      for (let k = 0; k < 100; k++) sentAt.push(at);
    }
    const arrivals = await results;
    const seconds = (performance.now() - t0) / 1000;
    const delays = arrivals.flatMap((a) => a.map((t, i) => t - sentAt[i]!));
    console.log(
      `SSE fan-out: ${SSE_EVENTS} events to ${SSE_CLIENTS} clients = ${SSE_EVENTS * SSE_CLIENTS} deliveries in ${fmt(seconds)} s ` +
        `(${fmt((SSE_EVENTS * SSE_CLIENTS) / seconds, 0)} deliveries/s); delivery delay p50 ${fmt(percentile(delays, 50))} ms, p99 ${fmt(percentile(delays, 99))} ms`,
    );
  } finally {
    await c.stop();
  }
}

await ingest('sqlite');
if (await postgresAvailable()) await ingest('postgres');
else console.log('event ingest (postgres): skipped, no PostgreSQL at the test URL');
await fanOut();
