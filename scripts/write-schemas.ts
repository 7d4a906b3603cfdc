/**
 * Writes schemas/*.schema.json from the zod schemas (`npm run schemas`). The JSON Schema files are the
 * contract for executors in other languages; test/contract/schemas-drift.test.ts fails when they drift.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSchemaFiles } from '../lib/schemas/render-schema-files.js';
import { packageRoot } from '../lib/package-root.js';

for (const [file, text] of Object.entries(renderSchemaFiles())) {
  writeFileSync(join(packageRoot(), 'schemas', file), text);
  console.log(`wrote schemas/${file}`);
}
