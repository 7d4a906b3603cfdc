import { describe, expect, it } from 'vitest';
import { approvalListed, askRules } from './approvals.js';
import { denialMessage, notGranted } from './permission-callback.js';

describe('approvalListed (the coordinator\'s, protocol/questions.ts)', () => {
  it('matches exact names, and a trailing * as a prefix; nothing else', () => {
    const approvals = { tools: ['Bash', 'mcp__github__*', 'Bash(rm .*)'] };
    expect(approvalListed(approvals, 'Bash')).toBe(true);
    expect(approvalListed(approvals, 'bash')).toBe(false);
    expect(approvalListed(approvals, 'BashOutput')).toBe(false);
    expect(approvalListed(approvals, 'mcp__github__create_issue')).toBe(true);
    expect(approvalListed(approvals, 'mcp__github')).toBe(false);
    expect(approvalListed(approvals, 'Bash(rm .*)')).toBe(true);
    expect(approvalListed({ tools: ['*'] }, 'Anything at all')).toBe(true);
  });
});

describe('askRules', () => {
  it('exact names as they are, mcp__<server>__* as the server rule, other globs not at all', () => {
    expect(askRules(['Bash', 'Write', 'mcp__github__*', 'mcp__x__create_*', 'Ba*', '*', 'Bash'])).toEqual(['Bash', 'Write', 'mcp__github']);
  });
});

describe('what Claude is told', () => {
  it('on a denial: the person\'s message, or a timeout, or who denied', () => {
    expect(denialMessage('Bash', { decision: 'deny', message: ' not on prod ', answered_by: 'ana' }, 60)).toBe('Bash call denied by ana: not on prod');
    expect(denialMessage('Bash', { decision: 'deny', message: 'the approval was cancelled' }, undefined)).toBe('Bash call denied: the approval was cancelled');
    expect(denialMessage('Bash', { decision: 'deny' }, undefined)).toBe('Bash call denied.');
    expect(denialMessage('Bash', { decision: 'deny', timed_out: true }, 60)).toBe('Bash call denied: no answer within 60 s.');
    expect(denialMessage('Bash', { decision: 'deny', timed_out: true }, undefined)).toBe('Bash call denied: no answer within the approval timeout.');
    expect(denialMessage('Write', { decision: 'deny', answered_by: 'cli' }, 5)).toBe('Write call denied by cli.');
  });

  it('for a tool nobody was asked about', () => {
    expect(notGranted('WebFetch')).toBe("Permission to use WebFetch has not been granted: it is not in allowed_tools, and this agent's approvals do not list it.");
  });
});
