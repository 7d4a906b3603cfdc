/** Attributes of our spans: one prefix, and the usage counters of a run as numbers. */

/** Prefix of every attribute our spans carry (`agent_runner.session_id`, …). */
export const ATTRIBUTE_PREFIX = 'agent_runner.';

const USAGE_COUNTERS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cost_usd'] as const;

/** The OpenTelemetry GenAI convention's name for the model a request asked for; spans of a run with a model carry it too. */
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';

/**
 * Span attributes from `facts`: each under ATTRIBUTE_PREFIX, null and undefined left out, the numbers
 * of a usage report (tokens and cost) when one is given, and `model` as GEN_AI_REQUEST_MODEL. Pure.
 */
export function spanAttributes(
  facts: Record<string, string | number | boolean | null | undefined>,
  usage?: Record<string, unknown> | null,
  model?: string | null,
): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {};
  if (typeof model === 'string') attributes[GEN_AI_REQUEST_MODEL] = model;
  for (const [name, value] of Object.entries(facts)) if (value !== null && value !== undefined) attributes[`${ATTRIBUTE_PREFIX}${name}`] = value;
  for (const counter of USAGE_COUNTERS) {
    const value = usage?.[counter];
    if (typeof value === 'number' && Number.isFinite(value)) attributes[`${ATTRIBUTE_PREFIX}${counter}`] = value;
  }
  return attributes;
}
