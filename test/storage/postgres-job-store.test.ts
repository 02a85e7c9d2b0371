import { openTempPgStorage } from '../support/postgres.js';
import { jobStoreConformance } from './job-store-conformance.js';

jobStoreConformance('PostgreSQL', {
  async open() {
    const { storage, close } = await openTempPgStorage();
    return { store: storage.jobs, close };
  },
});
