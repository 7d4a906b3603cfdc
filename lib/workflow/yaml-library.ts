import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

/**
 * The `yaml` package, loaded the first time a file is read, not when a module that may read one is
 * imported: client commands import the runner's settings, which can read a credentials file, and
 * loading yaml's ~80 files took ~60 ms of every command's start (bench/cli-cold-start,
 * test/cli/client-start.test.ts). Synchronous, so the readers stay synchronous.
 */
export function yamlLibrary(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
