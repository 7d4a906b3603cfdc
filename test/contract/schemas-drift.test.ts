import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchemaFiles } from '../../lib/schemas/render-schema-files.js';
import { packageRoot } from '../../lib/package-root.js';

describe('schemas/*.schema.json', () => {
  it.each(Object.entries(renderSchemaFiles()))('%s matches the zod source (run `npm run schemas` if not)', (file, text) => {
    const committed = readFileSync(join(packageRoot(), 'schemas', file), 'utf8');
    expect(committed).toBe(text);
  });

  it('the invocation JSON Schema requires exactly the Schema 2.0 fields and allows no others at the top', () => {
    const schema = JSON.parse(renderSchemaFiles()['invocation-2.0.schema.json']!);
    expect(schema.required).toEqual(['schema_version', 'mode', 'session_id', 'prompt']);
    expect(Object.keys(schema.properties)).toEqual([
      'schema_version', 'mode', 'session_id', 'prompt', 'project_dir', 'agent_blueprint', 'metadata',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });
});
