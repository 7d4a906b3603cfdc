import { z } from 'zod';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { InvocationSchema, SCHEMA_VERSION } from '../../protocol/invocation.js';
import { renderOpenApi } from './render-openapi.js';

const BASE_ID = 'urn:agent-runner:schema';
/** The HTTP API's version as the OpenAPI document names it (the `/v1` of its paths). */
const HTTP_API_VERSION = '1';

function render(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ $id: `${BASE_ID}:${id}`, title, ...json }, null, 2)}\n`;
}

/** The generated JSON Schema files, by file name, exactly as `npm run schemas` writes them. */
export function renderSchemaFiles(): Record<string, string> {
  return {
    [`invocation-${SCHEMA_VERSION}.schema.json`]: render(
      InvocationSchema,
      `invocation-${SCHEMA_VERSION}.schema.json`,
      `agent-runner invocation (Schema ${SCHEMA_VERSION})`,
    ),
    'executor-event.schema.json': render(ExecutorEventSchema, 'executor-event.schema.json', 'agent-runner executor event'),
    'http-api.openapi.json': `${JSON.stringify(renderOpenApi(HTTP_API_VERSION), null, 2)}\n`,
  };
}
