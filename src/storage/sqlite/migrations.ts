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
  {
    version: 2,
    name: 'collection',
    sql: `
-- Id counters: ids are never reused, and start at 0 as in MCRIT (families at 1: 0 is the unnamed one).
CREATE TABLE id_counters (
  name TEXT PRIMARY KEY,
  next INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO id_counters (name, next) VALUES ('family', 1), ('sample', 0), ('function', 0);

CREATE TABLE families (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO families (id, name) VALUES (0, '');

CREATE TABLE samples (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE,
  family_id     INTEGER NOT NULL REFERENCES families (id),
  architecture  TEXT NOT NULL,
  base_addr     INTEGER NOT NULL,   -- unsigned 64-bit, stored as its two's complement
  binary_size   INTEGER NOT NULL,
  binweight     REAL NOT NULL,
  bitness       INTEGER NOT NULL,
  component     TEXT NOT NULL,
  filename      TEXT NOT NULL,
  is_library    INTEGER NOT NULL,
  smda_version  TEXT NOT NULL,
  statistics    TEXT NOT NULL,      -- JSON object, SMDA's keys
  timestamp     TEXT NOT NULL,
  version       TEXT NOT NULL,
  num_functions INTEGER NOT NULL
);
CREATE INDEX samples_by_family ON samples (family_id);

CREATE TABLE functions (
  id               INTEGER PRIMARY KEY,
  sample_id        INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  family_id        INTEGER NOT NULL, -- the sample's, kept here for match aggregation without joins
  offset           INTEGER NOT NULL, -- unsigned 64-bit, two's complement
  function_name    TEXT NOT NULL,
  num_instructions INTEGER NOT NULL,
  num_blocks       INTEGER NOT NULL,
  binweight        REAL NOT NULL,
  pichash          INTEGER,          -- unsigned 64-bit, two's complement
  minhash          BLOB,             -- 64 bytes, NULL when the function is too small
  picblockhashes   TEXT NOT NULL,    -- JSON [[offset, length, size, hash], ...], integers as decimal strings
  xcfg             BLOB NOT NULL     -- the report's function object, deflated lossless JSON
);
CREATE INDEX functions_by_sample ON functions (sample_id, offset);
-- Covering, in id order: a PicHash lookup reads only this index, however many functions share the
-- hash. Measured on 100k functions (bench/ingest --quick): a hash shared by >1,000 functions took
-- 4.5 ms at p50 with an index on pichash alone (a random table read per match, then a sort), 1.2 ms
-- with this one; p99 over all lookups 9.7 -> 2.1 ms.
CREATE INDEX functions_by_pichash ON functions (pichash, id, sample_id, family_id) WHERE pichash IS NOT NULL;

-- (band hash key, function): key = band number * 2^32 + band hash. One b-tree, no rowid: a
-- candidate lookup is one range read. Entries of a deleted function are found again by
-- recomputing its band hashes from its signature (no reverse index to maintain).
CREATE TABLE band_index (
  band_key    INTEGER NOT NULL,
  function_id INTEGER NOT NULL,
  PRIMARY KEY (band_key, function_id)
) WITHOUT ROWID;

CREATE TABLE picblockhash_index (
  hash        INTEGER NOT NULL,     -- unsigned 64-bit, two's complement
  function_id INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
  offset      INTEGER NOT NULL,
  PRIMARY KEY (hash, function_id, offset)
) WITHOUT ROWID;
CREATE INDEX picblockhash_index_by_function ON picblockhash_index (function_id);

CREATE TABLE function_labels (
  function_id INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
  label       TEXT NOT NULL,
  username    TEXT NOT NULL,
  timestamp   TEXT NOT NULL,
  PRIMARY KEY (function_id, username, label)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: 'picblockhash lookups without a join',
    sql: `
-- A PicBlockHash lookup reads only this table: each entry carries its function's sample and family.
-- Joining every match to functions (rows of ~1 KB, the xcfg inline) was the cost. Measured on
-- 100k synthetic functions, 3 x 3,000 lookups of stored hashes: p50/p90/p99 22/648/5,087 us with
-- the join, 7/131/914 us without (a covering index on functions for the join: 10/257/3,741 us).
CREATE TABLE picblockhash_entries (
  hash        INTEGER NOT NULL,     -- unsigned 64-bit, two's complement
  function_id INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
  offset      INTEGER NOT NULL,
  sample_id   INTEGER NOT NULL,     -- the function's (never changes)
  family_id   INTEGER NOT NULL,     -- the function's, kept equal by functions_family_to_picblockhashes
  PRIMARY KEY (hash, function_id, offset)
) WITHOUT ROWID;
INSERT INTO picblockhash_entries (hash, function_id, offset, sample_id, family_id)
  SELECT p.hash, p.function_id, p.offset, fn.sample_id, fn.family_id
  FROM picblockhash_index p JOIN functions fn ON fn.id = p.function_id ORDER BY 1, 2, 3;
DROP TABLE picblockhash_index;
ALTER TABLE picblockhash_entries RENAME TO picblockhash_index;
CREATE INDEX picblockhash_index_by_function ON picblockhash_index (function_id);
CREATE TRIGGER functions_family_to_picblockhashes AFTER UPDATE OF family_id ON functions
  WHEN OLD.family_id <> NEW.family_id BEGIN
  UPDATE picblockhash_index SET family_id = NEW.family_id WHERE function_id = NEW.id;
END;
`,
  },
];
