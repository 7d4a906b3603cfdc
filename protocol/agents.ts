import { z } from 'zod';
import { timeoutS } from './fields.js';
import { AgentBlueprintSchema } from './invocation.js';
import './zod-config.js';

/** Agent names are file names and URL segments: letters, digits, `.`, `_`, `-`. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * An agent blueprint as the coordinator stores it: the Schema 2.0 blueprint (`name`, `description`,
 * `system_prompt`, `mcp_servers`) plus the preferred `executor`, `tags`, `model` and `timeout_s`.
 * Unknown fields are kept and passed through to runners.
 */
export const AgentDocumentSchema = AgentBlueprintSchema.extend({
  name: z.string().regex(AGENT_NAME, { message: 'name must be letters, digits, ".", "_" or "-" (at most 128)' }),
  executor: z.string().min(1, { message: 'executor must not be empty' }).optional(),
  tags: z.array(z.string().min(1, { message: 'a tag must not be empty' })).optional(),
  model: z.string().min(1, { message: 'model must not be empty' }).optional(),
  timeout_s: timeoutS.optional(),
});

/** An agent as `GET /v1/agents/:name` and `PUT` show it: the stored document. */
export type AgentDocument = z.infer<typeof AgentDocumentSchema>;

/** `GET /v1/agents`: every agent blueprint the coordinator has. */
export const AgentListSchema = z.looseObject({ agents: z.array(AgentDocumentSchema) });
