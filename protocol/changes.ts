/** `GET /v1/changes`: what changed in the store, summed up (the console's lists follow it). */
import { z } from 'zod';
import './zod-config.js';

/** One `event: change` message: ids by kind; `more` when more than 500 of a kind changed since the last message. */
export const ChangeMessageSchema = z.looseObject({
  /** Sessions with new events (a status change is one, and so is a question asked or closed). */
  sessions: z.array(z.string()),
  /** Trees a session joined, by root session id. */
  trees: z.array(z.string()),
  workflow_runs: z.array(z.string()),
  /** Questions and approvals asked or closed. */
  questions: z.array(z.string()),
  more: z.boolean(),
});
export type ChangeMessage = z.infer<typeof ChangeMessageSchema>;
