/**
 * Schema 2.0: the one JSON document the runner writes to an executor's stdin.
 *
 * The top-level fields are exactly Schema 2.0's. Anything new goes inside `metadata` or as optional fields
 * of `agent_blueprint`; executors must ignore fields they do not know. This zod schema is the single source:
 * `schemas/invocation-2.0.schema.json` is generated from it (`npm run schemas`).
 */
import { z } from 'zod';
import { BudgetLeftSchema } from './budget-left.js';
import './zod-config.js';

export const SCHEMA_VERSION = '2.0';

/** Largest prompt we hand to an executor, in characters (1 MiB of ASCII). */
export const MAX_PROMPT_CHARS = 1_048_576;

const nonEmpty = (what: string) => z.string().min(1, { message: `${what} must not be empty` });

/** One MCP server as Claude Code and most MCP clients configure it: `http`/`sse` by URL, or `stdio` by command. */
export const McpServerConfigSchema = z
  .looseObject({
    type: z.enum(['http', 'sse', 'stdio']).optional().describe('Transport; `stdio` when omitted and `command` is set.'),
    url: z.url({ message: 'url must be an absolute URL' }).optional(),
    headers: z.record(z.string(), z.string()).optional().describe('HTTP headers sent on every request (http/sse).'),
    command: nonEmpty('command').optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((server, ctx) => {
    const type = server.type ?? (server.command !== undefined ? 'stdio' : 'http');
    if ((type === 'http' || type === 'sse') && server.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `url is required for a ${type} MCP server` });
    }
    if (type === 'stdio' && server.command === undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'command is required for a stdio MCP server' });
    }
  })
  .describe('An MCP server the agent may use.');

/** One Agent Skill the runner put on this machine for the run: a folder holding `SKILL.md` (docs/executors.md, "Skills"). */
export const InvocationSkillSchema = z
  .looseObject({
    name: nonEmpty('name').describe('The skill\'s name (its folder\'s name and its SKILL.md `name`).'),
    description: z.string().describe('Its SKILL.md `description`: when to use it.'),
    path: nonEmpty('path').describe('Absolute path of the skill\'s folder on the runner\'s machine (read only; outside the project folder).'),
  })
  .describe('An Agent Skill available to this run.');

/** The resolved agent blueprint: a named recipe. Unknown fields are kept and passed through. */
export const AgentBlueprintSchema = z
  .looseObject({
    name: nonEmpty('name').describe('The agent blueprint name.'),
    description: z.string().optional(),
    system_prompt: z.string().optional().describe('Instructions for the agent.'),
    mcp_servers: z.record(z.string(), McpServerConfigSchema).optional().describe('MCP servers by name.'),
    orchestrator_mcp: z
      .boolean({ message: 'orchestrator_mcp must be true or false' })
      .optional()
      .describe('false: the runner does not add its `orchestrator` MCP server (docs/mcp.md). Default true.'),
    skills: z
      .array(InvocationSkillSchema)
      .optional()
      .describe('The Agent Skills of this session (its agent\'s, and its parent\'s unless `inherit_skills: false`), as local folders.'),
  })
  .describe('The fully resolved agent blueprint (placeholders already substituted).');

/** Facts the runner adds about this run. Unknown fields are kept. */
export const InvocationMetadataSchema = z
  .looseObject({
    run_id: nonEmpty('run_id').optional(),
    runner_id: nonEmpty('runner_id').optional(),
    attempt: z.int().min(1).optional().describe('1 for the first try of this run, 2 after one retry, ...'),
    executor_session_id: nonEmpty('executor_session_id')
      .optional()
      .describe('On resume: the id the executor reported earlier with a `bind` event.'),
    traceparent: z
      .string()
      .optional()
      .describe('W3C trace context of this run (the same as the TRACEPARENT environment variable): spans the executor makes go under it.'),
    budget: BudgetLeftSchema.optional().describe(
      'What the session\'s tree has left when the run was claimed (`usd`, `tokens`, `wall_s`); absent: no budget applies. An executor should not spend more.',
    ),
    inputs: z
      .unknown()
      .optional()
      .describe('A workflow job\'s structured inputs: its `with` (the seed form\'s `params`), expressions already evaluated. Absent outside workflows.'),
    workflow: z
      .looseObject({
        workflow_run_id: z.string(),
        name: z.string(),
        job: z.string(),
        task: z.string(),
        attempt: z.int().min(1),
        matrix: z.record(z.string(), z.unknown()).nullable(),
      })
      .optional()
      .describe('Where this run is in a workflow: the run, the workflow\'s name, the job, the task (`job[i]` for matrix instance i), its attempt (retries count up), its matrix values.'),
  })
  .describe('Runner-supplied facts; extensible.');

export const InvocationSchema = z
  .strictObject({
    schema_version: z.literal(SCHEMA_VERSION, { message: `schema_version must be "${SCHEMA_VERSION}"` }),
    mode: z.enum(['start', 'resume'], { message: 'mode must be "start" or "resume"' }),
    session_id: nonEmpty('session_id').describe(
      'The agent session this run belongs to, e.g. `ses_0klnrr6cgxwz72tn` (agent-runner makes `ses_` + 16 characters of [0-9a-z]); an opaque string: do not validate its form.',
    ),
    prompt: z
      .string()
      .max(MAX_PROMPT_CHARS, { message: `prompt is longer than ${MAX_PROMPT_CHARS} characters` })
      .describe('The user input for this run.'),
    project_dir: nonEmpty('project_dir').optional().describe('Absolute path; the executor runs with it as cwd.'),
    agent_blueprint: AgentBlueprintSchema.optional(),
    metadata: InvocationMetadataSchema.optional(),
  })
  .describe('Schema 2.0 invocation, written once to the executor stdin, which is then closed.');

export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
export type InvocationSkill = z.infer<typeof InvocationSkillSchema>;
export type AgentBlueprint = z.infer<typeof AgentBlueprintSchema>;
export type InvocationMetadata = z.infer<typeof InvocationMetadataSchema>;
export type Invocation = z.infer<typeof InvocationSchema>;
export type InvocationMode = Invocation['mode'];
