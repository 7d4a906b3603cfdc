/** Explicit limits of the MCP tools (documented in docs/mcp.md). */

/** Longest prompt a tool accepts for a child session, in characters. */
export const MAX_TOOL_PROMPT_CHARS = 100_000;
/** Longest result text a tool returns per session; longer texts are cut with a marker that says so. */
export const MAX_RETURNED_RESULT_CHARS = 50_000;
/** Longest `report_result.result_text`, in characters. */
export const MAX_REPORTED_RESULT_CHARS = 100_000;
/** Largest `report_result.result_data`, as JSON characters. */
export const MAX_REPORTED_DATA_CHARS = 256 * 1024;
/** Longest `report_progress.message`, in characters. */
export const MAX_PROGRESS_MESSAGE_CHARS = 4_000;
/** Most sessions one `wait_for_agent_sessions` call waits on. */
export const MAX_WAIT_SESSIONS = 100;
/** Default and largest wait of `wait_for_agent_sessions` and of a `sync` start or resume, in seconds. */
export const DEFAULT_WAIT_S = 600;
export const MAX_WAIT_S = 3_600;
/** Most sessions `list_agent_sessions` returns. */
export const MAX_LISTED_SESSIONS = 500;
/** How deep the scope check walks up parent links before it gives up. */
export const MAX_SESSION_DEPTH = 64;
/** How often a waiting `ask_user` / `request_approval` call sends a progress notification (when asked for progress). */
export const QUESTION_PROGRESS_MS = 10_000;
