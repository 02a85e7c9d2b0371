import { InvalidBinaryError } from '../disassembly/types.js';
import type { ErrorClass } from '../jobs/method.js';
import { MissingSampleError } from '../matching/match-run.js';
import { SmdaReportError } from '../smda/smda-report-error.js';

/**
 * Failures that running the job again cannot fix: a malformed report or binary, a sample that is
 * gone. The methods name them as `permanentErrors`, so such a job fails at its first attempt
 * instead of after every retry.
 */
export const BAD_INPUT_ERRORS: readonly ErrorClass[] = [SmdaReportError, InvalidBinaryError, MissingSampleError];
