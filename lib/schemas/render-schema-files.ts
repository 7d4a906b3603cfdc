import { z } from 'zod';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { InvocationSchema, SCHEMA_VERSION } from '../../protocol/invocation.js';

const BASE_ID = 'urn:agent-runner:schema';

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
  };
}
