/**
 * Numbered, append-only migrations of the SQLite store. Never edit a released migration: add one.
 * `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs',
    sql: `
CREATE TABLE uploads (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE jobs (
  number               INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: numbers are never reused
  id                   TEXT NOT NULL UNIQUE,
  method               TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'finished', 'failed')),
  parameters           TEXT NOT NULL,          -- JSON object
  search_text          TEXT NOT NULL,          -- lower-cased id, method and parameter values
  dedup_key            TEXT NOT NULL,          -- sha256 of method, parameters and input sha256
  input_sha256         TEXT REFERENCES uploads (sha256),
  depends_on           TEXT NOT NULL DEFAULT '[]', -- JSON array of job ids, as enqueued
  pending_dependencies INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL,
  started_at           INTEGER,
  finished_at          INTEGER,
  run_at               INTEGER NOT NULL,       -- not claimable before (retry backoff)
  progress             REAL NOT NULL DEFAULT 0,
  attempts             INTEGER NOT NULL DEFAULT 0,  -- counted attempts (a hand-back is not one)
  claims               INTEGER NOT NULL DEFAULT 0,  -- hand-outs to workers; the fence (never decreases)
  max_attempts         INTEGER NOT NULL,
  error                TEXT,
  lease_owner          TEXT,
  lease_expires_at     INTEGER,
  result_id            TEXT NOT NULL UNIQUE        -- reserved at enqueue; shown (and searchable) once finished
);

-- Listing pages by index: each filter combination walks one of these in number order.
CREATE INDEX jobs_by_state ON jobs (state, number);
CREATE INDEX jobs_by_method ON jobs (method, number);
CREATE INDEX jobs_by_method_state ON jobs (method, state, number);
-- Claiming walks only runnable jobs, oldest first.
CREATE INDEX jobs_runnable ON jobs (number) WHERE state = 'queued' AND pending_dependencies = 0;
CREATE INDEX jobs_by_dedup_key ON jobs (dedup_key);
CREATE INDEX jobs_by_input ON jobs (input_sha256) WHERE input_sha256 IS NOT NULL;
-- No index on created_at / finished_at (only bulk deletes filter on them) nor on lease_expires_at
-- (the sweeper walks the few processing jobs through jobs_by_state): every index costs each enqueue,
-- claim or completion WAL pages (a no-op job wrote ~43 pages; each index ~1-2 of them).

-- The list's text filter. A trigram index answers substring queries of 3+ characters without
-- reading the jobs: measured on 1,000,000 jobs, counting the matches of a rare term took 25-35 ms
-- against 230-370 ms for instr() over every row. Contentless: the text lives in jobs.search_text.
-- Written once, at enqueue, with the reserved result id: rewriting it at completion doubled the
-- cost of a completion (560 vs 264 us); the list query hides result-id matches of unfinished jobs.
CREATE VIRTUAL TABLE job_search USING fts5 (text, tokenize = 'trigram', content = '', contentless_delete = 1);
CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_search (rowid, text) VALUES (NEW.number, NEW.search_text || char(10) || NEW.result_id);
END;
CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs BEGIN
  DELETE FROM job_search WHERE rowid = OLD.number;
END;

CREATE TABLE job_dependencies (
  depends_on_number INTEGER NOT NULL REFERENCES jobs (number) ON DELETE CASCADE,
  job_number        INTEGER NOT NULL REFERENCES jobs (number) ON DELETE CASCADE,
  PRIMARY KEY (depends_on_number, job_number)
) WITHOUT ROWID;
CREATE INDEX job_dependencies_by_job ON job_dependencies (job_number);

-- Keyed by job: the result id is jobs.result_id (already unique-indexed), so a result costs one b-tree.
CREATE TABLE results (
  job_number INTEGER PRIMARY KEY REFERENCES jobs (number) ON DELETE CASCADE,
  encoding   TEXT NOT NULL,                   -- 'gzip'
  body       BLOB NOT NULL
);

CREATE TABLE job_counts (
  method TEXT NOT NULL,
  state  TEXT NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (method, state)
) WITHOUT ROWID;

-- The counters change in the statement that changes a job, hence in its transaction: they are
-- exact at every moment, whichever operation (or hand-written SQL) touches the jobs.
CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (method, state, count) VALUES (NEW.method, NEW.state, 1)
    ON CONFLICT (method, state) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET count = count - 1 WHERE method = OLD.method AND state = OLD.state;
END;
CREATE TRIGGER jobs_count_state AFTER UPDATE OF state ON jobs WHEN OLD.state <> NEW.state BEGIN
  UPDATE job_counts SET count = count - 1 WHERE method = OLD.method AND state = OLD.state;
  INSERT INTO job_counts (method, state, count) VALUES (NEW.method, NEW.state, 1)
    ON CONFLICT (method, state) DO UPDATE SET count = count + 1;
END;

-- A job that ends releases the jobs waiting for it; so does a job deleted before it ended.
CREATE TRIGGER jobs_release_dependents_on_end AFTER UPDATE OF state ON jobs
  WHEN NEW.state IN ('finished', 'failed') AND OLD.state NOT IN ('finished', 'failed') BEGIN
  UPDATE jobs SET pending_dependencies = pending_dependencies - 1
    WHERE number IN (SELECT job_number FROM job_dependencies WHERE depends_on_number = NEW.number);
END;
CREATE TRIGGER jobs_release_dependents_on_delete BEFORE DELETE ON jobs
  WHEN OLD.state NOT IN ('finished', 'failed') BEGIN
  UPDATE jobs SET pending_dependencies = pending_dependencies - 1
    WHERE number IN (SELECT job_number FROM job_dependencies WHERE depends_on_number = OLD.number);
END;
`,
  },
];
