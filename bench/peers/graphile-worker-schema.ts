/** The one task of the peers bench's graphile-worker. */
export const GW_TASK = 'trivial';

/** The table where the bench's graphile-worker tasks store their results, in graphile-worker's own schema. */
export const resultsTable = (schema: string) => `"${schema}".peers_results`;

/** Its definition: the job, the executor's stdout, and when PostgreSQL stored it. */
export const createResultsTable = (schema: string) =>
  `CREATE TABLE ${resultsTable(schema)} (job_id bigint PRIMARY KEY, output text NOT NULL, done_at timestamptz NOT NULL DEFAULT now())`;
