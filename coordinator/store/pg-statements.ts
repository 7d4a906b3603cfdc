/**
 * Named (prepared) statements for PostgreSQL. An unnamed statement is parsed and planned again at every
 * execution: on the coordinator's hot path (a claim, a run's report) that was two thirds of the database's
 * CPU per run (bench/database-work: parse 2.4 ms, plan 4.1 ms, execute 3.1 ms per run). A statement text
 * seen often gets a name, so each pooled connection parses it once and PostgreSQL may keep its plan.
 *
 * Two things can break a named statement, and each is recovered from:
 * - another replica's migration changed a table a `SELECT *` or `RETURNING *` reads: PostgreSQL refuses the
 *   cached plan ("cached plan must not change result type"). The text gets a new name (parsed afresh) and
 *   the statement, or the transaction it was in, runs again.
 * - a pooler that does not keep a session's prepared statements (PgBouncer in transaction mode before 1.21):
 *   "prepared statement … does not exist". Naming is turned off for the process and the statement runs again.
 */

/** Executions of a text before it is named: a text seen once or twice (an IN list of a rare length) stays unnamed. */
export const NAME_AFTER_USES = 3;
/** Distinct texts named at most, per process: each is a prepared statement and a plan on every pooled connection. */
export const MAX_NAMED_STATEMENTS = 200;

/** What a query is sent as: its text, and its name when it has one. */
export interface PgStatement {
  text: string;
  name: string | undefined;
}

export class PgStatements {
  readonly #uses = new Map<string, number>();
  readonly #names = new Map<string, string>();
  #next = 1;
  #enabled = true;

  /** The statement to send for `text` (already in `$1` form). */
  statement(text: string): PgStatement {
    if (!this.#enabled) return { text, name: undefined };
    const named = this.#names.get(text);
    if (named !== undefined) return { text, name: named };
    if (this.#names.size >= MAX_NAMED_STATEMENTS) return { text, name: undefined };
    const uses = (this.#uses.get(text) ?? 0) + 1;
    if (uses < NAME_AFTER_USES) {
      this.#uses.set(text, uses);
      return { text, name: undefined };
    }
    this.#uses.delete(text);
    const name = `ar_${this.#next++}`;
    this.#names.set(text, name);
    return { text, name };
  }

  /**
   * After `error` from running `sent`: whether running it again (alone, or its transaction from the
   * start) can succeed, having renamed its text or turned naming off. False for every other error.
   */
  recover(sent: PgStatement, error: unknown): boolean {
    if (sent.name === undefined) return false;
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (isStalePlan(code, message)) {
      // A fresh name: each connection parses the text again, with the table as it is now.
      this.#names.set(sent.text, `ar_${this.#next++}`);
      return true;
    }
    if (code === '26000') {
      this.#enabled = false;
      return true;
    }
    return false;
  }

  /** Texts named now (for tests and the bench). */
  get named(): number {
    return this.#names.size;
  }
}

/** PostgreSQL's refusal of a prepared statement whose result columns changed under it (SQLSTATE 0A000). */
export function isStalePlan(code: unknown, message: unknown): boolean {
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/** An error a transaction ended with that running it again may not meet: a renamed or unnamed statement now. */
export class RetryableStatementError extends Error {
  override name = 'RetryableStatementError';
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}
