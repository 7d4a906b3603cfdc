// Question round trip: an agent calls ask_user (wait: true) over the runner's MCP endpoint, a person's client
// sees it in the inbox (GET /v1/questions, polled back to back), answers it (POST /v1/questions/:id/answer),
// and the tool call returns with the answer. Target p50 ≤ 50 ms on loopback. The runner (with its embedded
// coordinator) runs as `bin/agent-runner` in its own process; the agent's MCP client and the person's run here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserApi } from '../lib/client/user-api.js';
import { projectStateDir } from '../lib/state/state-dir.js';
import { freePort, tempDir } from '../test/helpers/fixtures.js';
import { connectMcp as connect, startEmbeddedRunner } from './lib/mcp-client.js';
import { mean, ms, percentile, report } from './lib/stats.js';

const ROUND_TRIPS = 300;
const WARMUP = 30;


const { dir, cleanup } = tempDir('questions-bench-');
const localPort = await freePort();
const { child, mcpUrl } = await startEmbeddedRunner(dir, localPort);
process.on('exit', () => child.kill('SIGKILL'));
const person = new UserApi(`http://127.0.0.1:${localPort}`);
try {
  const secret = readFileSync(join(projectStateDir(dir), 'mcp-secret'), 'utf8').trim();
  // An agent with work to do (its run stays queued: no runner serves that executor), so its token is valid.
  const { session_id: caller } = await person.createSession({ executor: 'bench-caller-never-served', prompt: 'bench caller' });
  const agent = await connect(mcpUrl, caller, secret);
  const total: number[] = [];
  const toInbox: number[] = [];
  const toAgent: number[] = [];
  for (let i = 0; i < WARMUP + ROUND_TRIPS; i++) {
    const t0 = performance.now();
    const call = agent.callTool({ name: 'ask_user', arguments: { question: `question ${i}?` } });
    let id: string | undefined;
    while (id === undefined) id = (await person.listQuestions({ session: caller })).questions[0]?.question_id;
    const seen = performance.now();
    await person.answerQuestion(id, { text: `answer ${i}` });
    const answeredAt = performance.now();
    const result = await call;
    const done = performance.now();
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    if (!text.includes(`answer ${i}`)) throw new Error(`the agent got ${text}`);
    if (i < WARMUP) continue;
    total.push(done - t0);
    toInbox.push(seen - t0);
    toAgent.push(done - answeredAt);
  }
  const p50 = percentile(total, 50);
  report('question round trip (asked → in the inbox → answered → the agent has it) p50', ms(p50), { ok: p50 <= 50, text: '≤ 50 ms' });
  report('round trip p90 / p99 / mean', `${ms(percentile(total, 90))} / ${ms(percentile(total, 99))} / ${ms(mean(total))} (${ROUND_TRIPS} questions)`);
  report('asked → visible in GET /v1/questions p50', ms(percentile(toInbox, 50)));
  report('answer stored → the waiting tool call returns p50', ms(percentile(toAgent, 50)));
  await agent.close();
} finally {
  await person.close();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  cleanup();
}
