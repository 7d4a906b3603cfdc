import { AGENT_NAME, type AgentDocument, type AgentProblem, type AgentsReload } from '../../protocol/agents.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { withConnection, type ClientOptions } from './with-connection.js';

const oneLine = (text: string, max: number) => {
  const flat = terminalText(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A name given on the command line must be an agent name before it goes into a URL. */
function checkName(name: string): void {
  if (!AGENT_NAME.test(name)) {
    throw new CliError(`"${terminalText(name)}" is not an agent name (letters, digits, ".", "_" or "-", at most 128)`, EXIT_USAGE);
  }
}

/** The agents folder's bad files, one line each, saying whether the agent's last good version is still served. */
export function describeProblems(problems: readonly AgentProblem[]): string {
  if (problems.length === 0) return '';
  const lines = problems.map((p) => `  ${terminalText(p.file)}: ${terminalText(p.message)} (${p.kept ? 'keeping its last good version' : 'not loaded'})`);
  return `Problems in the coordinator's agents folder:\n${lines.join('\n')}\n`;
}

function agentTable(agents: readonly AgentDocument[], bold: (s: string) => string): string {
  const rows = agents.map((a) => [terminalText(a.name), terminalText(a.executor ?? '-'), terminalText((a.tags ?? []).join(',') || '-'), oneLine(a.description ?? '', 60)]);
  const header = ['NAME', 'EXECUTOR', 'TAGS', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${bold(pad(header))}\n${rows.map(pad).join('\n')}\n`;
}

/** `agents list`: every agent, then the agents folder's problems. */
export async function listAgentsCommand(options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const list = await api.listAgents();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ agents: list.agents, problems: list.problems ?? [] }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(list.agents.length === 0 ? 'No agents.\n' : agentTable(list.agents, makeStyle(process.stdout).bold));
    process.stdout.write(describeProblems(list.problems ?? []));
    return 0;
  });
}

/** `agents show NAME`: the stored blueprint (an unknown name: the coordinator suggests the closest). */
export async function showAgentCommand(name: string, options: ClientOptions): Promise<number> {
  checkName(name);
  return withConnection(options, false, async ({ api }) => {
    const agent = await api.getAgent(name);
    const json = JSON.stringify(agent, null, 2);
    process.stdout.write(`${options.json ? json : terminalText(json, { lines: true })}\n`);
    return 0;
  });
}

/** `agents delete NAME`. */
export async function deleteAgentCommand(name: string, options: ClientOptions): Promise<number> {
  checkName(name);
  return withConnection(options, false, async ({ api }) => {
    await api.deleteAgent(name);
    process.stdout.write(options.json ? `${JSON.stringify({ deleted: name })}\n` : `deleted ${name}\n`);
    return 0;
  });
}

function describeReload(reload: AgentsReload): string {
  const names = (list: string[]) => (list.length === 0 ? 'none' : list.map((n) => terminalText(n)).join(', '));
  return `${terminalText(reload.agents_dir)}: loaded ${names(reload.loaded)}; removed ${names(reload.removed)}\n${describeProblems(reload.problems)}`;
}

/** `agents reload`: the coordinator reads its agents folder again; exit 1 when a file there is refused. */
export async function reloadAgentsCommand(options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const reload = await api.reloadAgents();
    process.stdout.write(options.json ? `${JSON.stringify(reload, null, 2)}\n` : describeReload(reload));
    return reload.problems.length === 0 ? 0 : 1;
  });
}
