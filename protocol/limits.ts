/** Size limits of the HTTP API that both sides must know: requests over them are refused with 400. */

/** Most events in one batch (of one run, and of one reports request). */
export const MAX_EVENTS_PER_BATCH = 1_000;
/** Most run reports in one `POST /v1/runners/:id/reports`. */
export const MAX_REPORTS_PER_BATCH = 1_000;
/** Page sizes for list endpoints: the default and the most a client may ask for. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1_000;
/**
 * Deepest nesting of JSON arrays and objects accepted in a request body and in an executor event (a
 * line of ~6,000 brackets, 12 KB, overflowed JSON.stringify's stack). Bodies over it are refused (400),
 * events over it become a `log` event saying so.
 */
export const MAX_JSON_DEPTH = 64;
/** Most tries of one run (`max_attempts`, the first included). */
export const MAX_RUN_ATTEMPTS = 20;
/** A run's `priority` is from -MAX_PRIORITY to MAX_PRIORITY (higher first). */
export const MAX_PRIORITY = 1_000;
/** Longest run timeout (`timeout_s`, in seconds): 7 days. */
export const MAX_TIMEOUT_S = 604_800;
/** Longest duration a flag accepts (`--run-timeout`, `--drain-timeout`, `--lease`, …): 7 days, in ms. */
export const MAX_DURATION_MS = MAX_TIMEOUT_S * 1_000;
/**
 * Most descendants one cascading stop ends, so one request stays one bounded transaction; a tree with more
 * answers `more_descendants: true` and the same stop again ends the next ones (`sessions stop` repeats it).
 */
export const MAX_STOP_DESCENDANTS = 1_000;
/** Oldest age `sessions prune` accepts (`older_than_s`): 100 years, in seconds. */
export const MAX_AGE_S = 36_500 * 86_400;
/**
 * Most sessions one `POST /v1/sessions/prune` deletes, so one request stays one bounded transaction; with
 * more, it answers `more: true` and the same prune again deletes the next ones (`sessions prune` repeats it).
 */
export const MAX_PRUNE_SESSIONS = 1_000;
/** Most sessions one `POST /v1/sessions/batch` creates (one transaction): a bigger submission is sent in parts. */
export const MAX_BATCH_SESSIONS = 1_000;
/** Deepest level below a session a tree query or a budget's `max_depth` may name. */
export const MAX_TREE_DEPTH = 1_000;
/** Most nodes one `GET /v1/sessions/:id/tree` returns (and its default). */
export const MAX_TREE_NODES = 10_000;
export const DEFAULT_TREE_NODES = 2_000;
/**
 * Most a single run's usage counts, per token counter and in US dollars: a figure above is counted as this
 * much, so a broken or hostile executor cannot overflow the totals (or push a database's sum out of range).
 */
export const MAX_RUN_TOKENS = 1e12;
export const MAX_RUN_COST_USD = 1e6;
