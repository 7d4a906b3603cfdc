import type { Dialect } from '../sql-client.js';

/** The token and cost counters a usage total keeps, as column suffixes (`input_tokens`, `tree_input_tokens`, …). */
const COUNTERS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

/** One field of the stored usage JSON, as a number (null when absent). */
function usageField(dialect: Dialect, field: string, type: string): string {
  return dialect === 'sqlite' ? `CAST(json_extract(usage, '$.${field}') AS ${type === 'BIGINT' ? 'INTEGER' : 'REAL'})` : `CAST(usage::json->>'${field}' AS ${type})`;
}

/**
 * The tree of sessions as a first-class object.
 *
 * - `root_session_id`, `depth` and `ancestors` (a JSON array of ids, root first, parent last) place a
 *   session in its tree; a root is its own root at depth 0. Existing rows are backfilled from
 *   `parent_session_id` (a session whose parent was deleted becomes a root).
 * - `children` (direct) and `descendants` (the whole subtree below) count sessions for the tree limits.
 * - Usage totals, kept incrementally: the session's own (summed over all its runs) and its subtree's
 *   (`tree_*`: itself and every descendant), so a root holds its whole tree's spending.
 * - `budget` (JSON) bounds the subtree under the session; `stop_reason` (JSON) says why the tree was stopped.
 * - `traceparent`: the W3C trace context the session's runs are spans under.
 * - `runs.usage`: the latest usage a run reported (its totals so far), so a new report adds only the difference.
 * - `usage_totals`: the same counters per agent and per executor.
 */
export function sessionTree(dialect: Dialect): string {
  const REAL_TYPE = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  const counters = (prefix: string) => [
    ...COUNTERS.map((c) => `ALTER TABLE sessions ADD COLUMN ${prefix}${c} BIGINT NOT NULL DEFAULT 0`),
    `ALTER TABLE sessions ADD COLUMN ${prefix}cost_usd ${REAL_TYPE} NOT NULL DEFAULT 0`,
  ];
  return [
    'ALTER TABLE sessions ADD COLUMN root_session_id TEXT',
    'ALTER TABLE sessions ADD COLUMN depth INTEGER NOT NULL DEFAULT 0',
    "ALTER TABLE sessions ADD COLUMN ancestors TEXT NOT NULL DEFAULT '[]'",
    'ALTER TABLE sessions ADD COLUMN children INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE sessions ADD COLUMN descendants INTEGER NOT NULL DEFAULT 0',
    ...counters(''),
    ...counters('tree_'),
    'ALTER TABLE sessions ADD COLUMN budget TEXT',
    'ALTER TABLE sessions ADD COLUMN stop_reason TEXT',
    'ALTER TABLE sessions ADD COLUMN traceparent TEXT',
    'ALTER TABLE runs ADD COLUMN usage TEXT',
    // Roots, then each level below from the one above (a tree deeper than the loop is left as roots below it).
    `UPDATE sessions SET root_session_id = id
       WHERE parent_session_id IS NULL OR parent_session_id NOT IN (SELECT id FROM sessions)`,
    ...Array.from({ length: 32 }, () => `UPDATE sessions SET
         root_session_id = (SELECT p.root_session_id FROM sessions p WHERE p.id = sessions.parent_session_id),
         depth = (SELECT p.depth + 1 FROM sessions p WHERE p.id = sessions.parent_session_id),
         ancestors = (SELECT CASE WHEN p.ancestors = '[]' THEN '["' || p.id || '"]'
                       ELSE substr(p.ancestors, 1, length(p.ancestors) - 1) || ',"' || p.id || '"]' END
                     FROM sessions p WHERE p.id = sessions.parent_session_id)
       WHERE root_session_id IS NULL
         AND parent_session_id IN (SELECT id FROM sessions WHERE root_session_id IS NOT NULL)`),
    'UPDATE sessions SET root_session_id = id WHERE root_session_id IS NULL',
    ...COUNTERS.map((c) => `UPDATE sessions SET ${c} = COALESCE(${usageField(dialect, c, 'BIGINT')}, 0) WHERE usage IS NOT NULL`),
    `UPDATE sessions SET cost_usd = COALESCE(${usageField(dialect, 'cost_usd', REAL_TYPE)}, 0) WHERE usage IS NOT NULL`,
    // Subtree counts and totals, deepest level first, each from the level below it.
    ...Array.from({ length: 33 }, (_, i) => 32 - i).map((depth) => `UPDATE sessions SET
         children = (SELECT COUNT(*) FROM sessions c WHERE c.parent_session_id = sessions.id),
         descendants = (SELECT COALESCE(SUM(1 + c.descendants), 0) FROM sessions c WHERE c.parent_session_id = sessions.id),
         ${[...COUNTERS, 'cost_usd'].map((c) => `tree_${c} = ${c} + (SELECT COALESCE(SUM(c.tree_${c}), 0) FROM sessions c WHERE c.parent_session_id = sessions.id)`).join(',\n         ')}
       WHERE depth = ${depth}`),
    'CREATE INDEX sessions_root ON sessions (root_session_id, depth, seq)',
    `CREATE TABLE usage_totals (
       scope TEXT NOT NULL,
       name TEXT NOT NULL,
       runs BIGINT NOT NULL DEFAULT 0,
       ${COUNTERS.map((c) => `${c} BIGINT NOT NULL DEFAULT 0`).join(',\n       ')},
       cost_usd ${REAL_TYPE} NOT NULL DEFAULT 0,
       updated_at BIGINT NOT NULL,
       PRIMARY KEY (scope, name)
     )`,
  ].join(';\n');
}
