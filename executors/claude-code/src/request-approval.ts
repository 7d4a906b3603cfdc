/**
 * Asking the coordinator for a person's approval: the runner's MCP tool `request_approval` on the
 * orchestrator server the invocation's blueprint carries (URL and per-session headers), through the
 * official MCP client. One connection per run, opened on the first request.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';

export const APPROVAL_TOOL = 'request_approval';

/** Arguments of `request_approval` (the coordinator's contract). */
export interface ApprovalRequest {
  tool: string;
  input: Record<string, unknown>;
  reason?: string;
  timeout_s?: number;
  on_timeout?: 'deny' | 'allow';
}

/** What `request_approval` answers, as JSON text content. */
export const ApprovalAnswerSchema = z.looseObject({
  question_id: z.string().optional(),
  decision: z.enum(['allow', 'deny'], { message: 'decision must be "allow" or "deny"' }),
  message: z.string().nullish(),
  remember: z.boolean().optional(),
  remembered: z.boolean().optional(),
  timed_out: z.boolean().optional(),
  answered_by: z.string().nullish(),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

export interface Approver {
  /** Ask and wait for the answer; rejects (with a reason worth showing Claude) when it cannot be had. */
  request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>;
  close(): Promise<void>;
}

/** Beyond the approval's own timeout, how long the call may take (the coordinator closes it first). */
const SLACK_MS = 60_000;
/** Without a timeout of the blueprint's, the longest a question can stay open (7 days). */
const LONGEST_QUESTION_S = 7 * 24 * 3600;

export function createApprover(server: { url: string; headers?: Record<string, string> }): Approver {
  let connecting: Promise<Client> | undefined;
  const connect = (): Promise<Client> => {
    connecting ??= (async () => {
      const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers ?? {} } });
      const client = new Client({ name: 'agent-runner-claude-code', version: '1.0.0' });
      await client.connect(transport);
      return client;
    })();
    // A failed connection is not kept: the next request tries again.
    connecting.catch(() => (connecting = undefined));
    return connecting;
  };

  return {
    async request(request, signal) {
      const client = await connect();
      const result = await client.callTool({ name: APPROVAL_TOOL, arguments: { ...request, wait: true } }, undefined, {
        signal,
        timeout: ((request.timeout_s ?? LONGEST_QUESTION_S) * 1000) + SLACK_MS,
        resetTimeoutOnProgress: true,
        // Asking for progress makes the coordinator keep the call alive with notifications while a person thinks.
        onprogress: () => {},
      });
      const content = Array.isArray(result.content) ? (result.content as Array<{ type?: string; text?: string }>) : [];
      const text = content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('');
      if (result.isError === true) throw new Error(`${APPROVAL_TOOL} failed: ${text.slice(0, 500) || 'no reason given'}`);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new Error(`${APPROVAL_TOOL} answered with something that is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
      }
      const parsed = ApprovalAnswerSchema.safeParse(data);
      if (!parsed.success) throw new Error(`${APPROVAL_TOOL} answered without a valid decision: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return parsed.data;
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      if (pending === undefined) return;
      await pending.then((client) => client.close()).catch(() => {});
    },
  };
}
