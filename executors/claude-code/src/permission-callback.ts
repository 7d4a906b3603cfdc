/**
 * The Agent SDK's permission callback (`canUseTool`): Claude Code asks before a tool call it may not make
 * on its own. A tool the blueprint's `approvals` lists goes to a person through the coordinator (the
 * subject is the exact call: tool name and full input); any other tool is denied, as a headless run
 * without the callback denies it. Nothing is ever allowed without an answer that says so: if the approval
 * cannot be asked or answered, the call is denied with the reason.
 */
import { approvalListed, type ApprovalSettings } from './approvals.js';
import type { ApprovalAnswer, Approver } from './request-approval.js';
import type { SdkCanUseTool, SdkPermissionResult } from './sdk-types.js';

/** Longest `reason` sent with a request (Claude Code's own explanation of why it asks). */
const MAX_REASON_CHARS = 1_000;

export interface PermissionCallbackInput {
  approvals: ApprovalSettings;
  /** Undefined when the blueprint has no orchestrator MCP server to ask through. */
  approver: Approver | undefined;
  /** The run's own abort signal (cancel). */
  runSignal: AbortSignal;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export function notGranted(tool: string): string {
  return `Permission to use ${tool} has not been granted: it is not in allowed_tools, and this agent's approvals do not list it.`;
}

/** The text Claude gets for a denied call: who denied it (when known) and their message. */
export function denialMessage(tool: string, answer: ApprovalAnswer, timeoutS: number | undefined): string {
  if (answer.timed_out === true) return `${tool} call denied: no answer within ${timeoutS === undefined ? 'the approval timeout' : `${timeoutS} s`}.`;
  const by = answer.answered_by === undefined || answer.answered_by === null ? '' : ` by ${answer.answered_by}`;
  const message = answer.message?.trim();
  if (message !== undefined && message !== '') return `${tool} call denied${by}: ${message}`;
  return `${tool} call denied${by}.`;
}

export function createPermissionCallback(input: PermissionCallbackInput): SdkCanUseTool {
  const { approvals, approver, runSignal } = input;
  const log = input.log ?? (() => {});
  return async (toolName, toolInput, options): Promise<SdkPermissionResult> => {
    if (!approvalListed(approvals, toolName)) return { behavior: 'deny', message: notGranted(toolName), decisionClassification: 'user_reject' };
    if (approver === undefined) {
      return {
        behavior: 'deny',
        message: `${toolName} call denied: it needs a person's approval, and this session has no orchestrator MCP server to ask through.`,
        decisionClassification: 'user_reject',
      };
    }
    const why = options.title ?? options.decisionReason;
    const request = {
      tool: toolName,
      input: toolInput,
      ...(why === undefined || why === '' ? {} : { reason: why.slice(0, MAX_REASON_CHARS) }),
      ...(approvals.timeoutS === undefined ? {} : { timeout_s: approvals.timeoutS }),
      ...(approvals.onTimeout === undefined ? {} : { on_timeout: approvals.onTimeout }),
    };
    let answer: ApprovalAnswer;
    try {
      answer = await approver.request(request, AbortSignal.any([options.signal, runSignal]));
    } catch (error) {
      const reason = runSignal.aborted ? 'the run was cancelled' : (error as Error).message.split('\n')[0]!.slice(0, 500);
      log('warn', `approval for ${toolName} could not be asked: ${reason}; denied`);
      return { behavior: 'deny', message: `${toolName} call denied: the approval could not be asked (${reason}).`, decisionClassification: 'user_reject' };
    }
    const about = answer.question_id === undefined ? '' : ` (question ${answer.question_id})`;
    if (answer.decision === 'allow') {
      log('info', `approval for ${toolName}${about}: allowed${answer.remembered === true ? ' (remembered for this session)' : ''}`);
      return { behavior: 'allow', updatedInput: toolInput, decisionClassification: answer.remember === true ? 'user_permanent' : 'user_temporary' };
    }
    log('info', `approval for ${toolName}${about}: denied${answer.timed_out === true ? ' (no answer in time)' : ''}`);
    return { behavior: 'deny', message: denialMessage(toolName, answer, approvals.timeoutS), decisionClassification: 'user_reject' };
  };
}
