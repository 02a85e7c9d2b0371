import type { JobMethod } from '../jobs/method.js';
import { addBinarySample } from './add-binary-sample.js';
import { addSmdaReport } from './add-smda-report.js';
import { deleteFamily, deleteSample, rebuildIndex } from './collection-changes.js';

/**
 * The job methods this build provides. `query` and the matching methods arrive
 * with the features that build them; configuration may add more (`--methods`).
 */
const methods: JobMethod[] = [addSmdaReport, addBinarySample, deleteSample, deleteFamily, rebuildIndex];
export default methods;
