import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase, STORE_KINDS, type StoreKind } from '../coordinator/helpers.js';
import { allEvents, createSession, type RunnerKit, useRunnerKit, waitForSession } from './runner-kit.js';

// Issue 11, items 9, 10 and 12: one executor's bad output or bad folder ends (or is kept in) its own run;
// every other run on the same runner goes on, on both stores.
describe.each(STORE_KINDS)('poison from an executor, through a real runner (%s)', (kind: StoreKind) => {
  const kit = useRunnerKit();
  async function coordinator(k: RunnerKit) {
    if (kind === 'sqlite') return k.coordinator();
    const db = await freshDatabase('postgres');
    k.afterCleanup(db.drop);
    return k.coordinator({ database: db.databaseUrl, args: ['--database-schema', db.databaseSchema!] });
  }

  it('a line of 6,000 nested brackets becomes a log event; the runner reports every run and stops cleanly', async () => {
    const { api, url } = await coordinator(kit());
    const daemon = await kit().daemon(['-c', url, '-x', 'poison', '--concurrency', '2']);
    const deep = await createSession(api, { executor: 'poison', prompt: 'deep' });
    const plain = await createSession(api, { executor: 'poison', prompt: 'plain' });
    const deepEnd = await waitForSession(api, deep.session_id, ['idle', 'failed'], 30_000);
    expect(deepEnd.status).toBe('idle');
    expect(deepEnd.result).toMatchObject({ result_text: 'after the deep line' });
    expect((await waitForSession(api, plain.session_id, ['idle', 'failed'], 30_000)).result).toMatchObject({ result_text: 'plain' });
    const log = (await allEvents(api, deep.session_id)).find((e) => e.type === 'log');
    expect(log?.event.reason).toMatch(/nested deeper than 64 levels/);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).not.toMatch(/RangeError/);
  });

  it('NUL in a bind, a message, stdout and stderr is stored as U+FFFD; a failing run keeps its stderr tail', async () => {
    const { api, url } = await coordinator(kit());
    await kit().daemon(['-c', url, '-x', 'poison', '--concurrency', '3']);
    const nul = await createSession(api, { executor: 'poison', prompt: 'nul' });
    const failing = await createSession(api, { executor: 'poison', prompt: 'nul-fail' });
    const plain = await createSession(api, { executor: 'poison', prompt: 'plain' });

    const ended = await waitForSession(api, nul.session_id, ['idle', 'failed'], 30_000);
    expect(ended).toMatchObject({ status: 'idle', executor_session_id: 'conv\uFFFDone', result: { result_text: 'nul\uFFFDdone' } });
    const events = await allEvents(api, nul.session_id);
    expect(events.find((e) => e.type === 'message')?.event).toMatchObject({ text: 'a\uFFFDb', extra: { 'k\uFFFD': 'v' } });
    expect(events.filter((e) => e.type === 'log').map((e) => e.event.message)).toEqual(expect.arrayContaining(['raw \uFFFD byte', 'stderr \uFFFD byte']));

    expect((await waitForSession(api, failing.session_id, ['idle', 'failed'], 30_000)).status).toBe('failed');
    const runs = await api('GET', `/v1/sessions/${failing.session_id}/runs`);
    expect(runs.body.runs[0]).toMatchObject({ attempt: 1, outcome: { kind: 'failed', stderr_tail: expect.stringContaining('stderr \uFFFD byte') } });
    expect((await waitForSession(api, plain.session_id, ['idle', 'failed'], 30_000)).status).toBe('idle');
  });

  it('a missing project folder or a file ends the run at once as rejected, naming it; not retried', async () => {
    const { api, url } = await coordinator(kit());
    await kit().daemon(['-c', url, '-x', 'poison']);
    const file = join(kit().dir, 'a-file');
    writeFileSync(file, 'x');
    const missing = join(kit().dir, 'no', 'such', 'folder');
    for (const [dir, why] of [[missing, 'does not exist'], [file, 'is not a directory']] as const) {
      const { session_id } = await createSession(api, { executor: 'poison', prompt: 'plain', project_dir: dir });
      expect((await waitForSession(api, session_id, ['idle', 'failed'], 30_000)).status).toBe('failed');
      const { runs } = (await api('GET', `/v1/sessions/${session_id}/runs`)).body;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'failed', attempt: 1, outcome: { kind: 'rejected', message: `project folder ${dir} ${why}` } });
    }
    expect(existsSync(missing)).toBe(false);
  });
});
