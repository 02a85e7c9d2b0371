import type { JobMethod } from '../jobs/method.js';
import { addBinarySample } from './add-binary-sample.js';
import { addSmdaReport } from './add-smda-report.js';
import { deleteFamily, deleteSample, rebuildIndex } from './collection-changes.js';
import { combineMatchesToCross } from './cross.js';
import {
  getMatchesForMappedBinary,
  getMatchesForSample,
  getMatchesForSampleVs,
  getMatchesForSampleVsGroup,
  getMatchesForSmdaReport,
  getMatchesForUnmappedBinary,
} from './matching.js';

/** The job methods this build provides; configuration may add more (`--methods`). */
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
  getMatchesForUnmappedBinary,
  getMatchesForMappedBinary,
  combineMatchesToCross,
];
export default methods;
