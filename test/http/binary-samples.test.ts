import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { loadBinary } from '../../src/disassembly/load-binary.js';
import { call, expectData, jobEnded, jobResult } from '../support/collection.js';
import { startTestService, type TestService } from '../support/harness.js';
import { binary } from '../disassembly/binaries.js';

/** POST /samples/binary: files disassembled in the worker and stored; bad files refused with a 400 that says why. */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('POST /samples/binary', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ maxAttempts: 1 });
  });
  after(() => service.close());

  const post = (query: string, body: Uint8Array) => call(service, 'POST', `/samples/binary${query}`, Buffer.from(body), null);

  test('an ELF file becomes a stored sample with named, hashed functions', async () => {
    const file = binary('elf64-O2');
    const job = expectData(await post('?filename=toolkit&family=tools&version=1.0', file), 202);
    assert.equal(job.method, 'addBinarySample');
    const result = await jobResult(service, job.job_id);
    assert.equal(result.existed, false);
    assert.ok(result.num_functions > 15);
    const sample = expectData(await call(service, 'GET', `/samples/sha256/${sha256(file)}`));
    assert.deepEqual([sample.filename, sample.family, sample.version, sample.bitness], ['toolkit', 'tools', '1.0', 64]);
    const functions = Object.values(expectData(await call(service, 'GET', `/samples/${sample.sample_id}/functions`))) as any[];
    assert.equal(functions.length, result.num_functions);
    const sumSquares = functions.find((fn) => fn.function_name === 'sum_squares');
    assert.ok(sumSquares && sumSquares.pichash !== null && sumSquares.num_instructions > 5);
  });

  test('the same file again is a 409 naming the stored sample', async () => {
    const answer = await post('', binary('elf64-O2'));
    assert.equal(answer.status, 409);
    assert.match(answer.body.data.message, /stored already/);
  });

  test('a PE32 and a mapped dump of it (is_dump, base_addr, bitness) are both added', async () => {
    const file = binary('pe32-O2.exe.stripped');
    const fromFile = await jobResult(service, expectData(await post('?filename=pe32.exe', file), 202).job_id);
    const image = loadBinary(file).image;
    const dump = await jobResult(service, expectData(await post('?is_dump=true&base_addr=0x400000&bitness=32', image), 202).job_id);
    assert.ok(fromFile.num_functions > 100);
    assert.ok(dump.num_functions > 0.9 * fromFile.num_functions, `${dump.num_functions} of ${fromFile.num_functions}`);
    assert.equal(dump.sample.base_addr, 0x400000);
    assert.equal(dump.sample.binary_size, image.length);
  });

  test('bad files and parameters are 400s saying what is wrong', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['', Buffer.from('hello, not a binary'), /unknown file format/],
      ['', binary('pe32-O2.exe').subarray(0, 0x90), /PE file truncated/],
      ['', binary('elf64-O2').subarray(0, 30), /ELF file truncated/],
      ['?is_dump=true', Buffer.alloc(64, 0x90), /base_addr/],
      ['?is_dump=true&base_addr=zz', Buffer.alloc(64, 0x90), /base_addr/],
      ['?bitness=16', binary('elf64-O2'), /bitness/],
    ];
    for (const [query, body, message] of cases) {
      const answer = await post(query, body);
      assert.equal(answer.status, 400, `${query} ${answer.body.data?.message}`);
      assert.match(answer.body.data.message, message);
    }
    assert.equal((await call(service, 'POST', '/samples/binary', undefined, null)).status, 400);
  });

  test('a file that fails in the worker fails its job at its first attempt with a readable error; the worker goes on', async () => {
    // Not through the route (which checks headers): the job itself must fail cleanly.
    const { job } = await service.engine.submit({ method: 'addBinarySample', parameters: {}, input: Buffer.from('MZ but nothing else'), maxAttempts: 3 });
    const failed = await jobEnded(service, job.id);
    assert.equal(failed.state, 'failed');
    assert.deepEqual([failed.attempts, failed.maxAttempts > 1], [1, true], 'a malformed file is not retried');
    assert.match(failed.error ?? '', /PE file truncated/);
    const next = expectData(await post('', binary('elf32-O2')), 202);
    assert.ok((await jobResult(service, next.job_id)).num_functions > 15);
  });
});
