import type { JobMethod } from '../jobs/method.js';
import { addBinarySample } from './add-binary-sample.js';
import { addSmdaReport } from './add-smda-report.js';
import { deleteFamily, deleteSample, rebuildIndex } from './collection-changes.js';
import { combineMatchesToCross } from './cross.js';
import { getMatchesForSample, getMatchesForSampleVs, getMatchesForSampleVsGroup, getMatchesForSmdaReport } from './matching.js';

/**
 * The job methods this build provides; the binary queries arrive with the query methods;
 * configuration may add more (`--methods`).
 */
const methods: JobMethod[] = [
  addSmdaReport,
  addBinarySample,
  deleteSample,
  deleteFamily,
  rebuildIndex,
  getMatchesForSample,
  getMatchesForSampleVs,
  getMatchesForSampleVsGroup,
  getMatchesForSmdaReport,
  combineMatchesToCross,
];
export default methods;
