import type { Dialect } from '../sql-client.js';

/**
 * Rate limits park work (issue 18): `credential_parks` holds, per credential profile name (one name on
 * several runners is one account) and model (`''`: every model), until when the profile is held back and
 * why. A run carries the profile it was given (`credential_profile`), its park (`parked_until`,
 * `park_reason`, `parks`: how often it was parked) and whether its restart continues the executor session it
 * had bound (`continues_session`). A session shows its latest run's park (`parked_until`, `park_profile`,
 * `park_reason`). A runner registers its profiles' summaries (names, weights, models, executors; never a
 * secret) in `credential_profiles`.
 */
export function credentialParks(_dialect: Dialect): string {
  return `
ALTER TABLE runs ADD COLUMN credential_profile TEXT;
ALTER TABLE runs ADD COLUMN parked_until BIGINT;
ALTER TABLE runs ADD COLUMN park_reason TEXT;
ALTER TABLE runs ADD COLUMN parks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN continues_session INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN parked_until BIGINT;
ALTER TABLE sessions ADD COLUMN park_profile TEXT;
ALTER TABLE sessions ADD COLUMN park_reason TEXT;
ALTER TABLE runners ADD COLUMN credential_profiles TEXT;
ALTER TABLE runners ADD COLUMN default_executor TEXT;
CREATE TABLE credential_parks (
  profile TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL,
  until_at BIGINT NOT NULL,
  message TEXT NOT NULL,
  run_id TEXT,
  parked_at BIGINT NOT NULL,
  PRIMARY KEY (profile, model)
);
CREATE INDEX credential_parks_until ON credential_parks (until_at)`;
}
