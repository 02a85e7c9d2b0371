import type { Migration } from '../sqlite/migrations.js';

/**
 * Numbered, append-only migrations of the PostgreSQL store: the same schema as SQLite's
 * (`../sqlite/migrations.ts`) in PostgreSQL's dialect. Never edit a released migration: add one.
 * The table `schema_migrations` records those applied. Statements name no schema: they run with the
 * store's schema first on the search path (pg_trgm lives in `public`, shared by all schemas).
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs',
    sql: `
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE uploads (
  sha256     text PRIMARY KEY,
  size       bigint NOT NULL,
  data       bytea NOT NULL,
  created_at bigint NOT NULL
);

-- fillfactor 80: lease renewals and progress change no indexed column; with room on the page they
-- are HOT updates (no new index entries), and most writes of a running job are those.
CREATE TABLE jobs (
  number               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- a sequence: numbers are never reused
  id                   text NOT NULL UNIQUE,
  method               text NOT NULL,
  state                text NOT NULL CHECK (state IN ('queued', 'processing', 'finished', 'failed')),
  parameters           text NOT NULL,          -- JSON object, as enqueued (text keeps key order and big numbers)
  dedup_key            text NOT NULL,          -- sha256 of method, parameters and input sha256
  input_sha256         text REFERENCES uploads (sha256),
  depends_on           text NOT NULL DEFAULT '[]', -- JSON array of job ids, as enqueued
  pending_dependencies integer NOT NULL DEFAULT 0,
  created_at           bigint NOT NULL,        -- milliseconds since the epoch, as in SQLite
  started_at           bigint,
  finished_at          bigint,
  run_at               bigint NOT NULL,        -- not claimable before (retry backoff)
  progress             double precision NOT NULL DEFAULT 0,
  attempts             integer NOT NULL DEFAULT 0,  -- counted attempts (a hand-back is not one)
  claims               integer NOT NULL DEFAULT 0,  -- hand-outs to workers; the fence (never decreases)
  max_attempts         integer NOT NULL,
  error                text,
  lease_owner          text,
  lease_expires_at     bigint,
  result_id            text NOT NULL UNIQUE         -- reserved at enqueue; shown (and searchable) once finished
) WITH (fillfactor = 80);

CREATE INDEX jobs_by_state ON jobs (state, number);
CREATE INDEX jobs_by_method ON jobs (method, number);
CREATE INDEX jobs_by_method_state ON jobs (method, state, number);
-- Claiming walks only runnable jobs, oldest first.
CREATE INDEX jobs_runnable ON jobs (number) WHERE state = 'queued' AND pending_dependencies = 0;
CREATE INDEX jobs_by_dedup_key ON jobs (dedup_key);
CREATE INDEX jobs_by_input ON jobs (input_sha256) WHERE input_sha256 IS NOT NULL;

-- The list's text filter: lower-cased id, method, parameter values and the reserved result id,
-- written once at enqueue. A table of its own so that the jobs' many updates (claim, completion)
-- never touch the trigram index (every non-HOT update of a row adds entries to all its indexes).
CREATE TABLE job_search (
  number bigint PRIMARY KEY REFERENCES jobs (number) ON DELETE CASCADE,
  text   text NOT NULL
);
CREATE INDEX job_search_trigrams ON job_search USING gin (text public.gin_trgm_ops);

-- No foreign keys: rows are removed by the jobs' delete trigger, which must still see them to
-- release the dependents (a cascade would run first).
CREATE TABLE job_dependencies (
  depends_on_number bigint NOT NULL,
  job_number        bigint NOT NULL,
  PRIMARY KEY (depends_on_number, job_number)
);
CREATE INDEX job_dependencies_by_job ON job_dependencies (job_number);

-- Keyed by job: the result id is jobs.result_id. Bodies are gzip'd already: not compressed again.
CREATE TABLE results (
  job_number bigint PRIMARY KEY REFERENCES jobs (number) ON DELETE CASCADE,
  encoding   text NOT NULL,
  body       bytea NOT NULL
);
ALTER TABLE results ALTER COLUMN body SET STORAGE EXTERNAL;

-- Counters per (method, state), in shards: each connection adds to the shard of its backend pid.
-- One row per (method, state) would be locked by every enqueue, claim and completion until its
-- commit (fsync included), serializing them all (measured: 61 jobs/s with 3 workers and a
-- submitter); with shards, concurrent transactions rarely meet and their commits are flushed together.
CREATE TABLE job_counts (
  method text NOT NULL,
  state  text NOT NULL,
  shard  smallint NOT NULL,
  count  bigint NOT NULL,
  PRIMARY KEY (method, state, shard)
);

-- The counters change in the statement that changes jobs, hence in its transaction. Statement
-- triggers add up the changes per (method, state) and apply them in (method, state) order: a claim
-- of 10 jobs touches 2 counter rows once each, transactions lock counter rows in one global order
-- (no deadlocks), and a statement that changes no state (lease renewal, progress) locks none.
CREATE FUNCTION jobs_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  my_shard smallint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_counts AS c (method, state, shard, count)
      SELECT method, state, my_shard, count(*) FROM new_rows GROUP BY method, state ORDER BY method, state
      ON CONFLICT (method, state, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO job_counts AS c (method, state, shard, count)
      SELECT method, state, my_shard, -count(*) FROM old_rows GROUP BY method, state ORDER BY method, state
      ON CONFLICT (method, state, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
  ELSE
    INSERT INTO job_counts AS c (method, state, shard, count)
      SELECT method, state, my_shard, sum(delta) FROM (
        SELECT method, state, 1 AS delta FROM new_rows
        UNION ALL
        SELECT method, state, -1 FROM old_rows
      ) changes GROUP BY method, state HAVING sum(delta) <> 0 ORDER BY method, state
      ON CONFLICT (method, state, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
  END IF;
  RETURN NULL;
END $$;

-- Idle workers LISTEN on 'mcrit_runnable:<schema>': a job that becomes claimable (enqueued, its
-- dependencies released, handed back, reclaimed or due for a retry... once its backoff expires,
-- which the workers' slow poll covers) announces itself. Delivered at commit, once per transaction.
CREATE FUNCTION jobs_announce_runnable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM new_rows WHERE state = 'queued' AND pending_dependencies = 0) THEN
      PERFORM pg_notify('mcrit_runnable:' || TG_TABLE_SCHEMA, '');
    END IF;
  ELSIF EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.number = n.number
    WHERE n.state = 'queued' AND n.pending_dependencies = 0 AND (o.state <> 'queued' OR o.pending_dependencies <> 0)
  ) THEN
    PERFORM pg_notify('mcrit_runnable:' || TG_TABLE_SCHEMA, '');
  END IF;
  RETURN NULL;
END $$;

-- A job that ends releases the jobs waiting for it.
CREATE FUNCTION jobs_release_dependents_on_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs SET pending_dependencies = pending_dependencies - 1
    WHERE number IN (SELECT job_number FROM job_dependencies WHERE depends_on_number = NEW.number);
  RETURN NULL;
END $$;

-- So does a job deleted before it ended; the deleted jobs' dependency rows go with them.
CREATE FUNCTION jobs_release_dependents_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs j SET pending_dependencies = j.pending_dependencies - released.n
    FROM (
      SELECT d.job_number, count(*) AS n FROM job_dependencies d JOIN old_rows o ON o.number = d.depends_on_number
      WHERE o.state NOT IN ('finished', 'failed') GROUP BY d.job_number
    ) released
    WHERE j.number = released.job_number;
  DELETE FROM job_dependencies d USING old_rows o WHERE d.depends_on_number = o.number OR d.job_number = o.number;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_changes();
CREATE TRIGGER jobs_count_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_changes();
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_changes();
CREATE TRIGGER jobs_announce_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_announce_runnable();
CREATE TRIGGER jobs_announce_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_announce_runnable();
CREATE TRIGGER jobs_release_on_end AFTER UPDATE OF state ON jobs FOR EACH ROW
  WHEN (NEW.state IN ('finished', 'failed') AND OLD.state NOT IN ('finished', 'failed'))
  EXECUTE FUNCTION jobs_release_dependents_on_end();
CREATE TRIGGER jobs_release_on_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_release_dependents_on_delete();
`,
  },
  {
    version: 2,
    name: 'collection',
    sql: `
-- Ids are never reused and start at 0 as in MCRIT (families at 1: 0 is the unnamed one).
-- Sequences, not a counter row: concurrent ingests do not wait for each other's ids.
CREATE SEQUENCE family_ids MINVALUE 0 START 1;
CREATE SEQUENCE sample_ids MINVALUE 0 START 0;
CREATE SEQUENCE function_ids MINVALUE 0 START 0;

CREATE TABLE families (
  id   bigint PRIMARY KEY,
  name text NOT NULL UNIQUE
);
INSERT INTO families (id, name) VALUES (0, '');

CREATE TABLE samples (
  id            bigint PRIMARY KEY,
  sha256        text NOT NULL UNIQUE,
  family_id     bigint NOT NULL REFERENCES families (id),
  architecture  text NOT NULL,
  base_addr     bigint NOT NULL,   -- unsigned 64-bit, stored as its two's complement
  binary_size   bigint NOT NULL,
  binweight     double precision NOT NULL,
  bitness       integer NOT NULL,
  component     text NOT NULL,
  filename      text NOT NULL,
  is_library    boolean NOT NULL,
  smda_version  text NOT NULL,
  statistics    text NOT NULL,     -- JSON object, SMDA's keys
  timestamp     text NOT NULL,
  version       text NOT NULL,
  num_functions integer NOT NULL
);
CREATE INDEX samples_by_family ON samples (family_id);

-- band_keys: the function's band index entries (band number * 2^32 + band hash), NULL without a
-- signature. The band index is the GIN index on them: one key per (band, hash) with a compressed
-- posting list of function ids, about 2-4 bytes per entry against ~70 for a (key, function) b-tree
-- table with its heap; at 10 million functions x 20 bands that is a few GB against ~14 GB. A
-- candidate lookup is one \`band_keys && $keys\` index scan; deleting a function deletes its entries.
CREATE TABLE functions (
  id               bigint PRIMARY KEY,
  sample_id        bigint NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  family_id        bigint NOT NULL,  -- the sample's, kept here for match aggregation without joins
  "offset"         bigint NOT NULL,  -- unsigned 64-bit, two's complement
  function_name    text NOT NULL,
  num_instructions integer NOT NULL,
  num_blocks       integer NOT NULL,
  binweight        double precision NOT NULL,
  pichash          bigint,           -- unsigned 64-bit, two's complement
  minhash          bytea,            -- 64 bytes, NULL when the function is too small
  band_keys        bigint[],
  picblockhashes   text NOT NULL,    -- JSON [[offset, length, size, hash], ...], integers as decimal strings
  xcfg             bytea NOT NULL    -- the report's function object, deflated lossless JSON
);
ALTER TABLE functions ALTER COLUMN xcfg SET STORAGE EXTERNAL;
CREATE INDEX functions_by_sample ON functions (sample_id, "offset");
-- Covering, in id order: a PicHash lookup is an index-only scan however many functions share it.
CREATE INDEX functions_by_pichash ON functions (pichash, id) INCLUDE (sample_id, family_id) WHERE pichash IS NOT NULL;
CREATE INDEX functions_band_index ON functions USING gin (band_keys);

CREATE TABLE picblockhash_index (
  hash        bigint NOT NULL,     -- unsigned 64-bit, two's complement
  function_id bigint NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
  "offset"    bigint NOT NULL,
  PRIMARY KEY (hash, function_id, "offset")
);
CREATE INDEX picblockhash_index_by_function ON picblockhash_index (function_id);

CREATE TABLE function_labels (
  function_id bigint NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
  label       text NOT NULL,
  username    text NOT NULL,
  timestamp   text NOT NULL,
  PRIMARY KEY (function_id, username, label)
);
`,
  },
  {
    version: 3,
    name: 'band index without pending list',
    sql: `
-- A GIN index with fastupdate (the default) queues new entries in a pending list of up to
-- gin_pending_list_limit (4 MB), which every lookup scans whole until a vacuum or a full list moves
-- it into the index. Band lookups are what matching does for each function, ingest only adds:
-- measured at 100,000 functions (6,032 pending tuples), one function's 20 band keys
-- (SampleStore.bandBucketMembers) p50 5.0 ms with the list, 2.6 ms without; an absent key 1.05 ms
-- against 0.02 ms. Without the list, addSample stored 9,600 instead of 11,400 functions/s.
ALTER INDEX functions_band_index SET (fastupdate = off);
SELECT gin_clean_pending_list('functions_band_index'::regclass);
`,
  },
];
