// Bundle the `agent-runner` command (dist/lib/cli/main.js, compiled by tsc) into dist/cli/, the code
// bin/agent-runner loads. Why: a client command (`sessions list`, `status`, …) spent most of its start
// loading modules, about half of it zod (some 90 files, 48 of them locales it never uses). One bundle
// with a chunk per lazily loaded command loads a handful of files instead of ~150.
//
// - Code splitting keeps each `await import()` of the CLI (the runner, the embedded coordinator, a
//   command's module) a chunk of its own, loaded only when that path runs.
// - zod, commander and the MCP SDK are bundled: zod so the runner process has one copy of it (the SDK's
//   tools use our schemas), commander because it is small. Every other dependency stays a package
//   import: native code (better-sqlite3), optional native code (pg), worker files (pino), the Agent SDK.
// - zod's locale table is cut to English, the only one it is configured with (see zodEnglishOnly).
// - dist/cli/meta.json lists the modules in each chunk (test/cli/client-start.test.ts reads it to tell
//   which modules a command loaded).
//
// The watchdog script is an entry of its own: the runner starts it by its path next to the runner's chunk.
// So are the two modules bin/agent-runner loads before the CLI, for the daemon's malloc arenas.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Packages compiled into the bundle; every other dependency is imported from node_modules at run time. */
const BUNDLED = new Set(['zod', 'commander', '@modelcontextprotocol/sdk']);
const external = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }).filter((name) => !BUNDLED.has(name));

/**
 * zod exports every locale it ships (`z.locales`) from one index module, so importing zod loads all of
 * them; it configures English and we never call `z.config(z.locales.…)`. The index is replaced by one
 * that exports English only. The build fails if zod moves that file, rather than silently keep them all.
 */
function zodEnglishOnly() {
  let replaced = 0;
  return {
    name: 'zod-english-only',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
        replaced++;
        return { contents: 'export { default as en } from "./en.js";\n', loader: 'js', resolveDir: dirname(args.path) };
      });
      builder.onEnd((result) => {
        if (result.errors.length === 0 && replaced === 0) {
          throw new Error('bundle-cli: zod\'s locales index (zod/v4/locales/index.js) was not found: update zodEnglishOnly for this zod');
        }
      });
    },
  };
}

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'dist/lib/cli/main.js',
    'watchdog-main': 'dist/lib/runner/watchdog-main.js',
    'daemon-invocation': 'dist/lib/cli/daemon-invocation.js',
    'malloc-arenas': 'dist/lib/process/malloc-arenas.js',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external,
  plugins: [zodEnglishOnly()],
  // commander is CommonJS: its require() calls of Node's modules need a require in an ES module.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
