/**
 * Models and routing: the model names a blueprint gives (`model`, `models`), the task `kind` a session is
 * started with, the routing file (`--routing FILE`) and `POST /v1/routing/select` (the MCP tool
 * `select_model`). docs/coordinator.md, "Models and routing".
 */
import { z } from 'zod';
import './zod-config.js';

/** Most models one list may name (a blueprint's `models`, a rule's). */
export const MAX_MODELS = 16;
/** Most rules one routing file may hold. */
export const MAX_ROUTING_RULES = 1000;

/** A task kind: a short token (letters, digits, `.`, `_`, `-`, `:`; at most 64). */
export const KIND_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** A model name as an executor takes it: no spaces or control characters, at most 200 characters. */
const MODEL_NAME = /^[^\s\p{Cc}]{1,200}$/u;

/** One model name, checked; `field` names it in the message. */
export const modelName = (field: string) =>
  z.string().regex(MODEL_NAME, { message: `${field} must be a model name: 1 to 200 characters, no spaces or control characters` });

/** An ordered list of models (fallbacks after the first): not empty, no name twice. */
export const modelList = (field: string) =>
  z
    .array(modelName(`${field}[]`))
    .min(1, { message: `${field} must name at least one model` })
    .max(MAX_MODELS, { message: `${field} may name at most ${MAX_MODELS} models` })
    .refine((list) => new Set(list).size === list.length, { message: `${field} must not name a model twice` });

/** A task kind given when a session starts (`kind` of `POST /v1/sessions`, `run --kind`, `start_agent_session`). */
export const kindField = z
  .string()
  .regex(KIND_TOKEN, { message: 'kind must be a short token: letters, digits, ".", "_", "-" or ":" (at most 64), starting with a letter or digit' })
  .describe('What kind of task this is (e.g. `review`, `summarize`), for routing rules (docs/coordinator.md, "Models and routing").');

/** `agent` of a rule: a name, or a glob of one (`*` any run of characters, `?` one). */
const AGENT_GLOB = /^[A-Za-z0-9._*?-]{1,128}$/;

const fraction = (field: string) =>
  z
    .number({ message: `${field} must be a number between 0 and 1` })
    .min(0, { message: `${field} must be between 0 and 1` })
    .max(1, { message: `${field} must be between 0 and 1` });

const depthBound = (field: string) => z.int({ message: `${field} must be a whole number` }).min(0, { message: `${field} must be 0 or more` }).max(1000, { message: `${field} must be at most 1000` });

/** What a rule matches; every condition given must hold (none: every run). */
export const RoutingMatchSchema = z
  .strictObject({
    agent: z.string().regex(AGENT_GLOB, { message: 'agent must be an agent name or a glob of one (letters, digits, ".", "_", "-", "*", "?")' }).optional(),
    tags: z.array(z.string().min(1, { message: 'a tag must not be empty' })).max(64, { message: 'at most 64 tags' }).optional().describe('The run has every one of these tags.'),
    kind: z.union([kindField, z.array(kindField).min(1, { message: 'kind must name at least one kind' })]).optional().describe('The session was started with this kind (or one of these).'),
    depth: z
      .strictObject({ min: depthBound('depth.min').optional(), max: depthBound('depth.max').optional() })
      .refine((d) => d.min === undefined || d.max === undefined || d.min <= d.max, { message: 'depth.min must not be more than depth.max' })
      .optional()
      .describe('The session\'s depth in its tree (a root is 0), within min..max (both inclusive).'),
    budget_left: z
      .strictObject({ below: fraction('budget_left.below').optional(), at_least: fraction('budget_left.at_least').optional() })
      .refine((b) => b.below !== undefined || b.at_least !== undefined, { message: 'budget_left needs below or at_least' })
      .optional()
      .describe('The fraction of its tree\'s budget left (the least over usd, tokens and wall_s of every budget on it): below (exclusive), at_least (inclusive). No budget: never matches.'),
  })
  .describe('Conditions on the run; all given must hold.');

/** One routing rule: a name (optional), what it matches, and the model or ordered models it gives. */
export const RoutingRuleSchema = z
  .strictObject({
    name: z.string().min(1, { message: 'name must not be empty' }).max(200, { message: 'name must be at most 200 characters' }).optional(),
    match: RoutingMatchSchema.optional(),
    model: modelName('model').optional(),
    models: modelList('models').optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.model !== undefined && rule.models !== undefined) ctx.addIssue({ code: 'custom', path: ['models'], message: 'give model or models, not both' });
    if (rule.model === undefined && rule.models === undefined) ctx.addIssue({ code: 'custom', path: ['model'], message: 'a rule must give model or models' });
  });

/** The routing file (`--routing FILE`, YAML or JSON): rules in order, the first that matches wins. */
export const RoutingFileSchema = z
  .strictObject({
    rules: z.array(RoutingRuleSchema).max(MAX_ROUTING_RULES, { message: `rules: at most ${MAX_ROUTING_RULES} rules` }),
  })
  .describe('Model routing rules, first match wins; no match: the blueprint\'s own model(s).');

export type RoutingMatch = z.infer<typeof RoutingMatchSchema>;
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;
export type RoutingFile = z.infer<typeof RoutingFileSchema>;

/** `POST /v1/routing/select`: what the router would pick for a session of `agent` (a child of `parent_session_id`, if given). */
export const SelectModelSchema = z.strictObject({
  agent: z.string().min(1, { message: 'agent must not be empty' }).max(128, { message: 'agent must be at most 128 characters' }),
  kind: kindField.optional(),
  tags: z.array(z.string().min(1, { message: 'a tag must not be empty' })).max(64, { message: 'at most 64 tags' }).optional().describe("The run's tags (default: the agent's)."),
  parent_session_id: z.string().min(1, { message: 'parent_session_id must not be empty' }).max(200).optional().describe('Decide for a child of this session: its depth + 1, its tree\'s budget.'),
});
export type SelectModel = z.infer<typeof SelectModelSchema>;

/** Which rule decided (null: none matched, the blueprint's own model(s) apply). */
export const MatchedRuleSchema = z.looseObject({
  index: z.int().describe('Its place in the file, from 0.'),
  name: z.string().nullable(),
  match: z.record(z.string(), z.unknown()).describe('Its conditions as written.'),
});

/** The router's choice: the model, the ordered models (the choice first, then its fallbacks), the rule, and why. */
export const ModelChoiceSchema = z.looseObject({
  model: z.string().nullable().describe('The model the run uses (null: none given anywhere, the executor\'s default).'),
  models: z.array(z.string()).describe('The choice and its fallbacks in order, models parked as unavailable left out.'),
  rule: MatchedRuleSchema.nullable(),
  reason: z.string().describe('One line: which rule matched and why, or that the blueprint\'s own applies.'),
});
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;

/** `GET /v1/routing`: the routing file in use. */
export const RoutingStatusSchema = z.looseObject({
  file: z.string().nullable().describe('The --routing file (null: none; every run uses its blueprint\'s own model).'),
  rules: z.array(z.record(z.string(), z.unknown())),
  loaded_at: z.string().nullable(),
  problem: z.string().nullable().describe('Why the file\'s latest version was refused (the rules before it stay in use), or null.'),
});
export type RoutingStatus = z.infer<typeof RoutingStatusSchema>;

/** A blueprint gives `model` or `models`, not both (which would win is not obvious); the issue names both fields. */
export function refuseModelAndModels(doc: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (doc.model !== undefined && doc.models !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['models'], message: 'give model or models, not both (model: "x" is models: ["x"])' });
  }
}
