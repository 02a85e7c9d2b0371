import type { JobMethod } from '../jobs/method.js';

/**
 * The job methods this build provides. `addSmdaReport`, `addBinarySample`, `query` and the matching
 * methods arrive with the features that build them; until then the registry holds only what
 * configuration adds (`--methods`).
 */
const methods: JobMethod[] = [];
export default methods;
