import { didYouMean } from '../../protocol/did-you-mean.js';
import { ApiError } from '../api-error.js';
import type { Store } from '../store/store.js';

/**
 * The error for a request naming an agent the store does not have, with the closest agent name as a
 * suggestion: 404 for `/v1/agents/:name`, 422 (naming `field`) for a body that refers to it.
 */
export async function unknownAgentError(store: Store, name: string, field?: string): Promise<ApiError> {
  const names = (await store.listAgents()).map((agent) => agent.name);
  const why = `no agent named "${name}"${didYouMean(name, names)}`;
  if (field === undefined) return new ApiError(404, 'not_found', why, { agent: name });
  return new ApiError(422, 'invalid_request', `${field}: ${why}`, { issues: [{ path: field, message: why }] });
}
