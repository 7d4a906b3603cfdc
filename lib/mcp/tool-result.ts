import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { CoordinatorError } from '../client/coordinator-error.js';
import { MAX_RETURNED_RESULT_CHARS } from './tool-limits.js';

/** What the MCP SDK passes each tool handler beside its arguments (the request's authInfo, signal, progress). */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A failure the calling agent can act on; becomes an MCP tool error (`isError`) with this message. */
export class ToolError extends Error {
  override name = 'ToolError';
}

/** A successful tool result: the data as indented JSON text. */
export function toolResult(data: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data, null, 2) }] };
}

/** An MCP tool error with a message for the agent. */
export function toolErrorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Cut a text to `max` characters, saying how much was left out. */
export function truncateText(text: string, max = MAX_RETURNED_RESULT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… truncated: ${text.length - max} more characters; the full text is in the session's events]`;
}

/** Turn what a tool handler threw into an MCP tool error; coordinator refusals keep their message. */
export function errorToResult(error: unknown): CallToolResult {
  if (error instanceof ToolError) return toolErrorResult(error.message);
  if (error instanceof CoordinatorError) {
    if (error.status === 0) return toolErrorResult(`the coordinator is unreachable right now (${error.message}); try again shortly`);
    return toolErrorResult(`the coordinator refused: ${error.message}`);
  }
  return toolErrorResult(`internal error: ${(error as Error).message}`);
}

/**
 * Wrap a tool handler: it gets the caller's session id (authenticated by the HTTP layer and carried as
 * `authInfo.clientId` of this very request), and every failure becomes a tool error, not a protocol error.
 */
export function guarded<A>(fn: (args: A, extra: ToolExtra, caller: string) => Promise<CallToolResult>): (args: A, extra: ToolExtra) => Promise<CallToolResult> {
  return async (args, extra) => {
    const caller = extra.authInfo?.clientId;
    if (caller === undefined || caller === '') return toolErrorResult('this request carries no authenticated session');
    try {
      return await fn(args, extra, caller);
    } catch (error) {
      return errorToResult(error);
    }
  };
}
