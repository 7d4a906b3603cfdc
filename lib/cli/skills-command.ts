import { SKILL_FILE, SKILL_FRONTMATTER, skillNameProblem, type SkillFiles, type SkillProblem, type SkillSummary } from '../../protocol/skills.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { withConnection, type ClientOptions } from './with-connection.js';

/** How many characters of a digest the table shows (enough to tell versions apart by eye). */
const SHORT_DIGEST_CHARS = 10;

const oneLine = (text: string, max: number) => {
  const flat = terminalText(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A digest (a quoted strong ETag) shortened for a table. Pure. */
export const shortDigest = (digest: string) => digest.replace(/"/g, '').slice(0, SHORT_DIGEST_CHARS);

function skillTable(skills: readonly SkillSummary[], bold: (s: string) => string): string {
  const rows = skills.map((s) => [terminalText(s.name), String(s.files), terminalText(shortDigest(s.digest)), oneLine(s.description, 70)]);
  const header = ['NAME', 'FILES', 'DIGEST', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return `${bold(pad(header))}\n${rows.map(pad).join('\n')}\n`;
}

/** The skills folder's entries that are not served, one line each with the reason. */
export function describeSkillProblems(problems: readonly SkillProblem[]): string {
  if (problems.length === 0) return '';
  return `Problems in the coordinator's skills folder (not served):\n${problems.map((p) => `  ${terminalText(p.folder)}: ${terminalText(p.message)}\n`).join('')}`;
}

/** `skills list`: every skill the coordinator serves (name, files, short digest, description); the folder's problems to stderr. */
export async function listSkillsCommand(options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const list = await api.listSkills();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ skills: list.skills, problems: list.problems }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(list.skills.length === 0 ? 'No skills.\n' : skillTable(list.skills, makeStyle(process.stdout).bold));
    process.stderr.write(describeSkillProblems(list.problems));
    return 0;
  });
}

/** A skill's SKILL.md frontmatter (its YAML text) and its files' sizes. Pure. */
export function skillDetails(skill: SkillFiles): { frontmatter: string; files: Array<{ path: string; bytes: number; executable: boolean }> } {
  const main = skill.files.find((f) => f.path === SKILL_FILE);
  const text = main === undefined ? '' : Buffer.from(main.content_base64, 'base64').toString('utf8');
  const frontmatter = SKILL_FRONTMATTER.exec(text)?.[1] ?? '';
  return { frontmatter, files: skill.files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content_base64, 'base64'), executable: f.executable })) };
}

function describeSkill(skill: SkillFiles): string {
  const { frontmatter, files } = skillDetails(skill);
  const width = Math.max(...files.map((f) => terminalText(f.path).length));
  const fileLines = files.map((f) => `  ${terminalText(f.path).padEnd(width)}  ${String(f.bytes).padStart(8)} B${f.executable ? '  executable' : ''}\n`);
  return `${terminalText(skill.name)}  ${terminalText(skill.digest)}\n${SKILL_FILE} frontmatter:\n${terminalText(frontmatter, { lines: true }).replace(/^/gm, '  ')}\nFiles (${files.length}):\n${fileLines.join('')}`;
}

/** `skills show NAME`: its SKILL.md frontmatter and its files (an unknown name: exit 1, the coordinator suggests the closest). */
export async function showSkillCommand(name: string, options: ClientOptions): Promise<number> {
  const problem = skillNameProblem(name);
  if (problem !== null) throw new CliError(`"${terminalText(name)}" is not a skill name: it ${problem}`, EXIT_USAGE);
  return withConnection(options, false, async ({ api }) => {
    const skill = await api.getSkill(name);
    if (options.json) {
      const { parse } = await import('yaml');
      const { frontmatter, files } = skillDetails(skill);
      process.stdout.write(`${JSON.stringify({ name: skill.name, description: skill.description, digest: skill.digest, frontmatter: parse(frontmatter) ?? {}, files }, null, 2)}\n`);
    } else process.stdout.write(describeSkill(skill));
    return 0;
  });
}
