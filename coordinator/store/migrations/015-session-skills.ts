import type { Dialect } from '../sql-client.js';

/** A session's effective Agent Skills (a JSON array of names), fixed when it is created: its agent's, and its parent's unless `inherit_skills: false`. */
export function sessionSkills(_dialect: Dialect): string {
  return `ALTER TABLE sessions ADD COLUMN skills TEXT`;
}
