/**
 * A workflow as a Mermaid flowchart (`workflow graph`): one node per job labelled with its id and what it
 * runs, an edge per need, and with a run's states a class per state. Labels are entity-encoded, so a
 * hostile job id, prompt or question cannot close its node or inject Mermaid (or HTML) of its own.
 */
import type { JobStatus } from '../../protocol/workflows.js';
import type { JobDef, WorkflowDef } from './model.js';

/** Longest label text shown for a job (a long command or question is cut). */
export const MAX_LABEL_CHARS = 60;

/** Fill and stroke per state, GitHub-like colours readable on light and dark themes. */
export const STATE_STYLES: Record<JobStatus, string> = {
  pending: 'fill:#f6f8fa,stroke:#8c959f,color:#24292f',
  queued: 'fill:#fff8c5,stroke:#bf8700,color:#24292f',
  running: 'fill:#ddf4ff,stroke:#0969da,color:#24292f',
  waiting: 'fill:#fbefff,stroke:#8250df,color:#24292f',
  succeeded: 'fill:#dafbe1,stroke:#1a7f37,color:#24292f',
  failed: 'fill:#ffebe9,stroke:#cf222e,color:#24292f',
  cancelled: 'fill:#eaeef2,stroke:#57606a,color:#24292f',
  skipped: 'fill:#f6f8fa,stroke:#d0d7de,color:#57606a,stroke-dasharray:4 3',
};

/** What a job runs, in a few words: the agent (and executor), `$ command`, the gate's question, the nested workflow. */
export function jobLabel(job: JobDef): string {
  switch (job.kind) {
    case 'run':
      return `$ ${job.run ?? ''}`;
    case 'gate':
      return `gate: ${job.gate?.question ?? ''}`;
    case 'workflow':
      return `workflow ${job.workflow ?? ''}`;
    default:
      return job.agent !== null && job.executor !== null ? `${job.agent} on ${job.executor}` : (job.agent ?? job.executor ?? 'agent');
  }
}

/**
 * Mermaid text for a workflow; with `states`, each job's node takes its state's class.
 * @example workflowMermaid(def) // 'flowchart TD\n  j0["plan<br/>planner"]\n  …'
 */
export function workflowMermaid(def: WorkflowDef, states?: ReadonlyMap<string, JobStatus>): string {
  // Node ids are positions (j0, j1, …): a job id like `end` or `a-->b` is only ever label text.
  const nodeOf = new Map(def.jobs.map((job, i) => [job.id, `j${i}`]));
  const lines = ['flowchart TD'];
  def.jobs.forEach((job, i) => {
    const matrix = job.matrix !== null ? ' ×matrix' : '';
    lines.push(`  j${i}["${escapeLabel(job.id)}${matrix}<br/>${escapeLabel(clip(jobLabel(job)))}"]`);
  });
  for (const job of def.jobs) {
    const to = nodeOf.get(job.id)!;
    for (const need of job.needs) {
      const from = nodeOf.get(need);
      if (from === undefined) continue;
      const conditional = job.if !== null;
      lines.push(conditional ? `  ${from} -.->|"${escapeLabel(clip(`if ${job.if}`))}"| ${to}` : `  ${from} --> ${to}`);
    }
  }
  if (states !== undefined) {
    const used = new Set(states.values());
    for (const [state, style] of Object.entries(STATE_STYLES)) if (used.has(state as JobStatus)) lines.push(`  classDef ${state} ${style}`);
    const byState = new Map<JobStatus, string[]>();
    for (const [id, state] of states) {
      const node = nodeOf.get(id);
      if (node !== undefined && state in STATE_STYLES) byState.set(state, [...(byState.get(state) ?? []), node]);
    }
    for (const [state, nodes] of byState) lines.push(`  class ${nodes.join(',')} ${state}`);
  }
  return `${lines.join('\n')}\n`;
}

const clip = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LABEL_CHARS ? `${flat.slice(0, MAX_LABEL_CHARS - 1)}…` : flat;
};

/**
 * Text safe inside a quoted Mermaid label: letters, digits, spaces and harmless punctuation as they are,
 * every other character as a Mermaid entity (`#35;`), so quotes, brackets, `<`, backticks, `#`, `;` and
 * line breaks are shown, never interpreted.
 */
export function escapeLabel(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9 _.,:!?@/+=()$*'-]/.test(ch)) out += ch;
    else if (ch === '\n' || ch === '\r') out += ' ';
    else out += `#${ch.codePointAt(0)};`;
  }
  return out;
}
