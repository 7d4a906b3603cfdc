import type { Dialect } from '../sql-client.js';

/**
 * Models and routing (docs/coordinator.md, "Models and routing"): the task `kind` a session was started
 * with (routing rules match on it), and the model its run was given when claimed with its fallbacks in order
 * (`models`, a JSON list; null before the claim).
 */
export function models(_dialect: Dialect): string {
  return `ALTER TABLE sessions ADD COLUMN kind TEXT;
    ALTER TABLE runs ADD COLUMN model TEXT;
    ALTER TABLE runs ADD COLUMN models TEXT`;
}
