import { z } from 'zod';
import { ENDPOINTS, NAMED_SCHEMAS, type Endpoint } from '../../protocol/endpoints.js';
import { ErrorBodySchema } from '../../protocol/errors.js';

/**
 * The HTTP API as one OpenAPI 3.1 document. One document rather than a file per body: it also says
 * which endpoint takes and answers which body, with which status, and OpenAPI 3.1's schema dialect is
 * JSON Schema 2020-12, what zod renders, so each body is the same JSON Schema as the executor files.
 */
export function renderOpenApi(version: string): object {
  const name = new Map<z.ZodType, string>(Object.entries(NAMED_SCHEMAS).map(([k, v]) => [v, k]));
  const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${name.get(schema)}` });
  const json = (schema: z.ZodType) => ({ 'application/json': { schema: ref(schema) } });
  const schemas: Record<string, unknown> = { Error: body(ErrorBodySchema, 'output') };
  for (const [key, schema] of Object.entries(NAMED_SCHEMAS)) schemas[key] = body(schema, isRequest(key) ? 'input' : 'output', key);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of ENDPOINTS) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(endpoint.replies)) {
      const content = schema === null ? undefined : { ...json(schema), ...streamContent(endpoint, ref) };
      responses[status] = { description: `HTTP ${status}`, ...(content === undefined ? {} : { content }) };
    }
    responses.default = { description: 'An error: `{"error": {code, message, details}}`.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method.toLowerCase()] = {
      summary: endpoint.summary,
      'x-caller': endpoint.caller,
      ...parameters(endpoint),
      ...(endpoint.body === undefined ? {} : { requestBody: { required: true, content: json(endpoint.body) } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'agent-coordinator HTTP API', version },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The API token on user paths; a runner token on runner paths only.' } },
    },
  };
}

const REQUEST_SCHEMAS = new Set(['AgentDocumentPut', 'AgentFile', 'CreateSession', 'ResumeSession', 'StopSession', 'RegisterRunner', 'Heartbeat', 'Poll', 'RunReports', 'RunStarted', 'EventBatch', 'RunFinished']);

function isRequest(key: string): boolean {
  return REQUEST_SCHEMAS.has(key);
}

/**
 * A schema as a component. A recursive schema (a tree node) keeps its definitions in its own `$defs`; its
 * references, which JSON Schema makes relative to the document, are pointed into the component.
 */
function body(schema: z.ZodType, io: 'input' | 'output', key = ''): unknown {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  if (rest.$defs === undefined) return rest;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"#/components/schemas/${key}/$defs/`)) as unknown;
}

function streamContent(endpoint: Endpoint, ref: (schema: z.ZodType) => unknown): Record<string, unknown> {
  if (endpoint.stream === undefined) return {};
  return { 'text/event-stream': { description: 'Each message: `id` the event seq, `data` one event as JSON.', itemSchema: ref(endpoint.stream) } };
}

function parameters(endpoint: Endpoint): { parameters?: unknown[] } {
  const out: unknown[] = [];
  for (const match of endpoint.path.matchAll(/\{(\w+)\}/g)) out.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  if (endpoint.query !== undefined) {
    const query = z.toJSONSchema(endpoint.query, { io: 'input', target: 'draft-2020-12' }) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [key, schema] of Object.entries(query.properties ?? {})) out.push({ name: key, in: 'query', required: query.required?.includes(key) ?? false, schema });
  }
  return out.length === 0 ? {} : { parameters: out };
}
