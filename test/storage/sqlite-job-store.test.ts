import { openTempStore } from '../support/harness.js';
import { jobStoreConformance } from './job-store-conformance.js';

jobStoreConformance('SQLite', {
  async open() {
    const { store, close } = openTempStore();
    return { store, close };
  },
});
