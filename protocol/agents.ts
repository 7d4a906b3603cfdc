import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { timeoutS } from './fields.js';
import { AgentBlueprintSchema } from './invocation.js';
import { BudgetSchema } from './tree.js';
import { ApprovalsSchema } from './questions.js';
import { SkillNameSchema } from './skills.js';
import { modelList, refuseModelAndModels } from './routing.js';
import './zod-config.js';

/** Agent names are file names and URL segments: letters, digits, `.`, `_`, `-`. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Blueprint fields the shipped `claude-code` executor reads (docs/claude-code.md, "Blueprint fields it
 * honours"). The executor checks their values; here they are only known names. executors/claude-code
 * tests keep this list in step with its schema.
 */
export const CLAUDE_CODE_BLUEPRINT_FIELDS = [
  'system_prompt_mode',
  'permission_mode',
  'allowed_tools',
  'disallowed_tools',
  'max_turns',
  'max_budget_usd',
  'output_schema',
] as const;

const claudeCodeFields = Object.fromEntries(
  CLAUDE_CODE_BLUEPRINT_FIELDS.map((field) => [field, z.unknown().optional().describe('Read by the claude-code executor (docs/claude-code.md), which checks it.')]),
) as Record<(typeof CLAUDE_CODE_BLUEPRINT_FIELDS)[number], z.ZodOptional<z.ZodUnknown>>;

/**
 * The fields of an agent blueprint as stored: the Schema 2.0 blueprint (`name`, `description`,
 * `system_prompt`, `mcp_servers`, `orchestrator_mcp`), the preferred `executor`, `tags`, `model` and
 * `timeout_s`, and the claude-code executor's fields. Loose: a document stored before unknown fields were
 * refused still reads back.
 */
export const StoredAgentSchema = AgentBlueprintSchema.extend({
  name: z.string().regex(AGENT_NAME, { message: 'name must be letters, digits, ".", "_" or "-" (at most 128)' }),
  executor: z.string().min(1, { message: 'executor must not be empty' }).optional(),
  tags: z.array(z.string().min(1, { message: 'a tag must not be empty' })).optional(),
  model: z.string().min(1, { message: 'model must not be empty' }).optional(),
  models: modelList('models').optional().describe('Models in order: the first, then fallbacks when one is unavailable or overloaded (docs/coordinator.md, "Models and routing"). Not with `model`.'),
  timeout_s: timeoutS.optional(),
  budget: BudgetSchema.optional().describe('Limits on the tree of a session of this agent, when the request gives none (docs/coordinator.md, "Budgets").'),
  approvals: ApprovalsSchema.optional(),
  skills: z.array(SkillNameSchema).optional().describe('Agent Skills of the coordinator\'s skills folder this agent\'s sessions get (docs/coordinator.md, "Skills").'),
  inherit_skills: z.boolean({ message: 'inherit_skills must be true or false' }).optional().describe('false: a session of this agent does not get its parent session\'s skills. Default true.'),
  extends: z.string().regex(AGENT_NAME, { message: 'extends must name an agent' }).optional().describe('The agent this one is based on: its fields, with this one\'s over them (docs/coordinator.md, "extends").'),
  shared_mcp_servers: z.array(z.string().min(1, { message: 'a server name must not be empty' })).optional().describe('Names of the coordinator\'s shared MCP servers (`--mcp-servers`) this agent uses (docs/mcp.md).'),
  ...claudeCodeFields,
});

/** An agent as `GET /v1/agents/:name` and `PUT` show it: the stored document. */
export type AgentDocument = z.infer<typeof StoredAgentSchema>;

/** Every top-level field a blueprint may have besides extension fields. */
export const AGENT_FIELDS: readonly string[] = Object.keys(StoredAgentSchema.shape);

/** Extension fields (for an executor of your own, or notes) start with `x-`: kept, passed to runners, never checked. */
export const EXTENSION_FIELD = /^x-/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The issue of one unknown field: its name, and the known field it was likely meant to be. */
export function unknownFieldMessage(key: string): string {
  const hint = didYouMean(key, AGENT_FIELDS);
  return `unknown field${hint === '' ? ' (a field of your own must start with "x-")' : hint}`;
}

/** Refuse top-level fields that are neither known nor `x-*`, each named with a suggestion; checked even when another field is wrong. */
function refuseUnknownFields<S extends z.ZodObject>(schema: S) {
  return schema
    .superRefine(refuseModelAndModels, { when: (payload) => isRecord(payload.value) })
    .superRefine(
      (doc, ctx) => {
        for (const key of Object.keys(doc)) {
          if (AGENT_FIELDS.includes(key) || EXTENSION_FIELD.test(key)) continue;
          ctx.addIssue({ code: 'custom', path: [key], message: unknownFieldMessage(key) });
        }
      },
      { when: (payload) => isRecord(payload.value) },
    )
    .meta({ additionalProperties: false, patternProperties: { [EXTENSION_FIELD.source]: {} } });
}

/**
 * An agent blueprint as a user writes it: a `<name>.json` file in the agents folder, `agents validate`
 * and `agents apply`. Unknown top-level fields are refused (a typo such as `exectuor` would otherwise be
 * stored and silently ignored); fields of your own start with `x-`. Nested objects (`mcp_servers` entries)
 * keep unknown fields, as MCP clients' configurations do.
 */
export const AgentDocumentSchema = refuseUnknownFields(StoredAgentSchema);

/** The body of `PUT /v1/agents/:name`: a blueprint whose `name` may be left to the URL. */
export const AgentDocumentPutSchema = refuseUnknownFields(StoredAgentSchema.partial({ name: true }));

/** A blueprint file the agents folder could not use, and whether an earlier good version of it is still served. */
export const AgentProblemSchema = z.looseObject({
  file: z.string().describe('The file name within the agents folder, e.g. `reviewer.json`.'),
  agent: z.string().nullable().describe('The agent the file defines (its name without `.json`), if that is a valid name.'),
  message: z.string().describe('What is wrong: `exectuor: unknown field (did you mean "executor"?)`.'),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  kept: z.boolean().describe('true: the last good version of this agent is still served.'),
});
export type AgentProblem = z.infer<typeof AgentProblemSchema>;

/** `GET /v1/agents`: every agent blueprint the coordinator has, and the agents folder's bad files. */
export const AgentListSchema = z.looseObject({
  agents: z.array(StoredAgentSchema),
  problems: z.array(AgentProblemSchema).optional().describe('Files of the agents folder that are not loaded (absent from older coordinators).'),
});

/** `POST /v1/agents/reload`: what reading the agents folder again changed. */
export const AgentsReloadSchema = z.looseObject({
  agents_dir: z.string().describe('The agents folder, as the coordinator was given it.'),
  loaded: z.array(z.string()).describe('Agents stored from their files (created or replaced).'),
  removed: z.array(z.string()).describe('Agents deleted because their file is gone.'),
  problems: z.array(AgentProblemSchema),
});
export type AgentsReload = z.infer<typeof AgentsReloadSchema>;
