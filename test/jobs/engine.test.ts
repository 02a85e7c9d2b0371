import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startTestService, waitFor } from '../support/harness.js';

test('a submitted job runs in an executor thread and its result is served', async () => {
  const service = await startTestService();
  try {
    const { job, created } = await service.engine.submit({ method: 'echo', parameters: { word: 'hi' }, input: Buffer.from('abc') });
    assert.equal(created, true);
    const finished = await waitFor(async () => {
      const j = await service.engine.store.getJob(job.id);
      return j?.state === 'finished' && j;
    });
    assert.equal(finished.attempts, 1);
    const answer = await api(service.url, 'GET', `/jobs/${job.id}/result`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data.inputText, 'abc');
    assert.equal(answer.body.data.parameters.word, 'hi');
  } finally {
    await service.close();
  }
});
