import type { IncomingMessage } from 'node:http';

/** Largest MCP request body accepted, in bytes (the SDK's own default). */
export const MAX_MCP_BODY_BYTES = 4 * 1024 * 1024;

/** A request body that cannot be used; `status` is the HTTP answer. */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Read and parse a JSON request body (413 beyond the limit, 400 when it is not JSON). */
export async function readJsonBody(req: IncomingMessage, max = MAX_MCP_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new BodyError(`the request body is larger than ${max} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new BodyError(`the request body is not JSON: ${(error as Error).message}`, 400);
  }
}

/**
 * Whether any message of a JSON-RPC body asks for progress (`params._meta.progressToken`): only then
 * must the answer be an SSE stream that can carry notifications before the result; otherwise a plain
 * JSON answer is cheaper.
 */
export function wantsProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined;
  });
}
