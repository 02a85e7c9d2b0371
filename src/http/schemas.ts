import { Type, type TSchema } from 'typebox';

/**
 * JSON schemas of every route's parameters and answers. Query values are declared as strings with
 * the exact accepted syntax, so a bad value is a 400 naming the parameter (see errors.ts), never a
 * silent coercion. A parameter's `title` states what it accepts and is the "expected ..." part of
 * that message; its `description` says what it does.
 */

const ID_PATTERN = '^[0-9a-fA-F]{24}$';

export const JobIdParams = Type.Object({
  job_id: Type.String({ pattern: ID_PATTERN, title: 'a job id of 24 hexadecimal characters' }),
});

export const ResultIdParams = Type.Object({
  result_id: Type.String({ pattern: ID_PATTERN, title: 'a result id of 24 hexadecimal characters' }),
});

const BOOLEAN = { pattern: '^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)$', title: 'a boolean: true, false, 1 or 0' };

const BooleanQuery = (what: string) => Type.String({ ...BOOLEAN, description: what });

const IntegerQuery = (what: string) =>
  Type.String({ pattern: '^[0-9]{1,15}$', title: 'a non-negative integer of at most 15 digits', description: what });

const DateQuery = (what: string) =>
  Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}(?:T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})?)?$',
    title: 'a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM] (UTC unless an offset is given)',
    description: what,
  });

const MethodQuery = (what: string) =>
  Type.String({ minLength: 1, maxLength: 200, title: 'a job method name of 1 to 200 characters', description: what });

export const STATE_FILTER_VALUES = ['queued', 'processing', 'in_progress', 'finished', 'failed'] as const;

export const ListJobsQuery = Type.Object({
  start: Type.Optional(IntegerQuery('how many matching jobs to skip (default 0)')),
  limit: Type.Optional(IntegerQuery('at most this many jobs, 0 for all (default 0)')),
  ascending: Type.Optional(BooleanQuery('oldest first (default false: newest first)')),
  method: Type.Optional(MethodQuery('only jobs of this method')),
  state: Type.Optional(
    Type.String({
      enum: [...STATE_FILTER_VALUES],
      title: `one of ${STATE_FILTER_VALUES.join(', ')}`,
      description: 'only jobs in this state (in_progress = processing)',
    }),
  ),
  filter: Type.Optional(
    Type.String({
      maxLength: 1000,
      // Control characters are refused: they cannot occur in a single field, and a newline would
      // match across the fields the filter searches.
      pattern: '^[^\\u0000-\\u001f\\u007f]*$',
      title: 'a text of at most 1000 characters without control characters',
      description: 'case-insensitive substring of the job id, method, result id or a parameter value',
    }),
  ),
});

export const StatsQuery = Type.Object({
  with_refresh: Type.Optional(BooleanQuery('recount from the jobs and repair the counters first')),
});

export const CompactQuery = Type.Object({
  compact: Type.Optional(BooleanQuery('leave out matches.functions of matching and query results')),
});

export const BulkDeleteQuery = Type.Object({
  method: Type.Optional(MethodQuery('delete jobs of this method')),
  created_before: Type.Optional(DateQuery('delete jobs created before this time')),
  finished_before: Type.Optional(DateQuery('delete jobs that ended before this time')),
});

const Timestamp = Type.Union([Type.String({ description: 'UTC, YYYY-MM-DDTHH:MM:SS' }), Type.Null()]);

export const JobView = Type.Object({
  job_id: Type.String(),
  number: Type.Integer(),
  method: Type.String(),
  state: Type.Union([Type.Literal('queued'), Type.Literal('processing'), Type.Literal('finished'), Type.Literal('failed')]),
  created: Type.String({ description: 'UTC, YYYY-MM-DDTHH:MM:SS' }),
  started: Timestamp,
  finished: Timestamp,
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  result_id: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  duration: Type.Union([Type.Number({ description: 'seconds from the start of the last attempt to its end (or now)' }), Type.Null()]),
  depends_on: Type.Array(Type.String()),
});

const StateCounts = {
  queued: Type.Integer(),
  processing: Type.Integer(),
  finished: Type.Integer(),
  failed: Type.Integer(),
};

export const StatsView = Type.Object({
  total_jobs: Type.Integer(),
  ...StateCounts,
  by_method: Type.Record(Type.String(), Type.Object({ ...StateCounts, total: Type.Integer() })),
});

export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('successful'), data });

export const ErrorEnvelope = Type.Object({
  status: Type.Literal('failed'),
  data: Type.Object({ message: Type.String() }),
});

export const NumDeleted = Type.Object({ num_deleted: Type.Integer() });

/** Results vary by method and are sent as stored; declared loosely. */
export const AnyData = Type.Unknown({ description: 'the result, as the job method produced it' });

const IdParam = (what: string) => Type.String({ pattern: '^[0-9]{1,15}$', title: `a ${what} id (a non-negative integer)` });

export const SampleIdParams = Type.Object({ sample_id: IdParam('sample') });
export const FamilyIdParams = Type.Object({ family_id: IdParam('family') });
export const FunctionIdParams = Type.Object({ function_id: IdParam('function') });
export const Sha256Params = Type.Object({
  sample_sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$', title: 'a sha256 of 64 hexadecimal characters' }),
});
export const HashParams = Type.Object({
  hash: Type.String({ pattern: '^[0-9a-fA-F]{1,16}$', title: 'an unsigned 64-bit hash as 1 to 16 hexadecimal digits' }),
});

export const PagingQuery = Type.Object({
  start: Type.Optional(IntegerQuery('how many to skip (default 0)')),
  limit: Type.Optional(IntegerQuery('at most this many, 0 for all (default 0)')),
});

export const FamilyQuery = Type.Object({
  with_samples: Type.Optional(BooleanQuery('include the samples of the family (default true)')),
});

export const FunctionQuery = Type.Object({
  with_xcfg: Type.Optional(BooleanQuery("include the function's code (xcfg)")),
});

export const AddReportQuery = Type.Object({
  family: Type.Optional(Type.String({ maxLength: 256, title: 'a family name of at most 256 characters', description: 'file the sample under this family instead of the report\'s' })),
  filename: Type.Optional(Type.String({ maxLength: 1024, title: 'a file name of at most 1024 characters', description: "instead of the report's" })),
  version: Type.Optional(Type.String({ maxLength: 256, title: 'a version of at most 256 characters', description: "instead of the report's" })),
  is_library: Type.Optional(BooleanQuery("mark the sample as a library (instead of the report's flag)")),
  force_recalculation: Type.Optional(BooleanQuery('run a new job even if an equal one exists')),
});

const BitnessQuery = Type.Optional(Type.Union([Type.Literal('32'), Type.Literal('64')], { title: '32 or 64', description: 'of a dump (guessed when absent)' }));
const ADDRESS = { pattern: '^(?:0[xX][0-9a-fA-F]{1,13}|[0-9]{1,16})$', title: 'an address, decimal or 0x-hex, below 2^53' };

export const AddBinaryQuery = Type.Object({
  filename: Type.Optional(Type.String({ maxLength: 1024, title: 'a file name of at most 1024 characters' })),
  family: Type.Optional(Type.String({ maxLength: 256, title: 'a family name of at most 256 characters' })),
  version: Type.Optional(Type.String({ maxLength: 256, title: 'a version of at most 256 characters' })),
  is_library: Type.Optional(BooleanQuery('mark the sample as a library')),
  is_dump: Type.Optional(BooleanQuery('the body is a memory image loaded at base_addr, not a PE/ELF file')),
  base_addr: Type.Optional(
    Type.String({ ...ADDRESS, description: 'where the dump is loaded (needed with is_dump)' }),
  ),
  bitness: BitnessQuery,
  force_recalculation: Type.Optional(BooleanQuery('run a new job even if an equal one exists')),
});

export const DeleteFamilyQuery = Type.Object({
  keep_samples: Type.Optional(BooleanQuery('move the samples to family 0 (the unnamed family) instead of deleting them (default false)')),
});

/** MCRIT's rules for the values of sample and family changes; the empty value is allowed. */
const FamilyName = (what: string) =>
  Type.String({
    pattern: '^(?:[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*)?$',
    maxLength: 64,
    title: 'a family name of at most 64 letters and digits, with single dots, dashes or underscores between them',
    description: what,
  });

const Printable = (what: string) =>
  Type.String({ pattern: '^[ -~]*$', maxLength: 64, title: `a ${what} of at most 64 printable ASCII characters`, description: `the new ${what}` });

/** JSON sends true/false (or 1/0), a form sends text: all are accepted, text in any case. */
const BooleanBody = (what: string) =>
  Type.Union([Type.Boolean({ title: BOOLEAN.title }), Type.String(BOOLEAN), Type.Integer({ minimum: 0, maximum: 1, title: BOOLEAN.title })], {
    description: what,
  });

export const SAMPLE_CHANGE_FIELDS = ['family_name', 'version', 'component', 'is_library'] as const;
export const FAMILY_CHANGE_FIELDS = ['family_name', 'is_library'] as const;

const changesTitle = (fields: readonly string[]) => `an object, JSON or form-encoded, with at least one of ${fields.join(', ')}`;

export const SampleChangesBody = Type.Object(
  {
    family_name: Type.Optional(FamilyName('file under the family of this name (created when new; "" is family 0, the unnamed family)')),
    version: Type.Optional(Printable('version')),
    component: Type.Optional(Printable('component')),
    is_library: Type.Optional(BooleanBody('mark the sample as a library or not')),
  },
  { title: changesTitle(SAMPLE_CHANGE_FIELDS) },
);

export const FamilyChangesBody = Type.Object(
  {
    family_name: Type.Optional(FamilyName('rename; the name of another family merges this one into it')),
    is_library: Type.Optional(BooleanBody('mark every sample of the family as a library or not')),
  },
  { title: changesTitle(FAMILY_CHANGE_FIELDS) },
);

const SmallIntegerQuery = (maximum: number, what: string) =>
  Type.String({ pattern: '^[0-9]{1,6}$', title: `an integer from 0 to ${maximum}`, description: what });

/** The matching parameters (MCRIT's query names); each is honoured, `minhash_score` too (MCRIT 1.6.2 ignores it). */
const MATCHING_QUERY = {
  minhash_score: Type.Optional(SmallIntegerQuery(100, 'a MinHash match needs a score above this (default 50)')),
  pichash_size: Type.Optional(SmallIntegerQuery(100_000, 'PicHash matches need an own function of at least this many instructions (default 10)')),
  band_matches_required: Type.Optional(SmallIntegerQuery(20, 'candidates share at least this many of the 20 band hashes (default 2; 0 disables MinHash matching)')),
  force_recalculation: Type.Optional(BooleanQuery('run a new job even if an equal one exists')),
};
export const MatchingQuery = Type.Object(MATCHING_QUERY);
export const CrossQuery = Type.Object({
  ...MATCHING_QUERY,
  sample_group_only: Type.Optional(BooleanQuery('match each sample against the other samples of the list only')),
});

export const SamplePairParams = Type.Object({ sample_id: IdParam('sample'), other_sample_id: IdParam('sample') });
export const FunctionPairParams = Type.Object({ function_id: IdParam('function'), other_function_id: IdParam('function') });
export const SampleListParams = Type.Object({
  sample_ids: Type.String({ pattern: '^[0-9]{1,15}(,[0-9]{1,15}){0,999}$', title: 'sample ids separated by commas (at most 1000)' }),
});

export const BinaryQueryQuery = Type.Object({ ...MATCHING_QUERY, bitness: BitnessQuery });
export const BaseAddrParams = Type.Object({ base_addr: Type.String({ ...ADDRESS, description: 'where the image is loaded' }) });
