/**
 * When SMDA 4.4.4 trusts the PicHashes stored in a report (reference 1.7): escaping rules changed over
 * SMDA releases, so PicHashes written by older versions are recomputed on load.
 */
import { pythonIntValue } from './python-text.js';
import { SmdaReportError } from './smda-report-error.js';
import type { SmdaArchitecture } from './types.js';

/** Reports below these versions get their PicHashes recomputed. */
const FIRST_CURRENT_VERSION: Readonly<Record<SmdaArchitecture, readonly number[]>> = {
  intel: [4, 3, 5],
  aarch64: [4, 2, 0],
  cil: [4, 3, 8],
};
/** Below this, every architecture is recomputed. */
const FIRST_CURRENT_VERSION_ANY = [1, 3, 0];

/** Python's `re.match(r"(v)?\d+(.\d+)*", version)`: a prefix match, `.` is any character but a newline. */
const VERSION_PREFIX = /^v?\p{Nd}+(?:[^\n]\p{Nd}+)*/u;
const MCRIT4IDA = 'MCRIT4IDA';

/** Python list ordering: element-wise, a shorter equal prefix is smaller. */
function isBefore(version: readonly number[], threshold: readonly number[]): boolean {
  for (let i = 0; i < Math.min(version.length, threshold.length); i++) {
    if (version[i] !== threshold[i]) return version[i]! < threshold[i]!;
  }
  return version.length < threshold.length;
}

/**
 * Whether the `pic_hash` values of a report written by `smdaVersion` are kept as they are. A version
 * that looks numeric but has a non-integer component (`4.2.12-dev`) makes SMDA abort the load.
 */
export function storedPicHashesAreCurrent(smdaVersion: string | null, architecture: SmdaArchitecture): boolean {
  if (smdaVersion === null) return false;
  const version = smdaVersion.startsWith(MCRIT4IDA) ? smdaVersion.slice(smdaVersion.lastIndexOf(' ') + 1) : smdaVersion;
  if (!VERSION_PREFIX.test(version)) return false;
  const components = version
    .replaceAll('v', '')
    .split('.')
    .map((component) => {
      const value = pythonIntValue(component, 10);
      if (value === null) throw new SmdaReportError('smda_version', `expected a version of integers, got ${JSON.stringify(smdaVersion)}`);
      return value;
    });
  return !isBefore(components, FIRST_CURRENT_VERSION_ANY) && !isBefore(components, FIRST_CURRENT_VERSION[architecture]);
}
