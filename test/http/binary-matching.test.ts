import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IS_PICHASH_FLAG } from '../../src/matching/types.js';
import { call, expectData, jobResult } from '../support/collection.js';
import { startTestService, type TestService } from '../support/harness.js';
import { addressOf, binary, TOOLKIT_FUNCTIONS, type Build } from '../disassembly/binaries.js';
import { loadBinary } from '../../src/disassembly/load-binary.js';

/**
 * Uploaded binaries through the matcher: the 32-bit ELF and PE builds of toolkit.c share identical
 * functions, which getMatchesForSampleVs pairs (PicHash and MinHash 100), and similar ones it pairs
 * by MinHash. (Functions under 10 instructions are not matched by PicHash, MCRIT's rule.)
 */

let service: TestService;
before(async () => {
  service = await startTestService();
});
after(() => service.close());

async function addBinary(build: Build): Promise<{ sampleId: number; offsets: Map<number, number> }> {
  const job = expectData(await call(service, 'POST', `/samples/binary?filename=${build}`, binary(build), null), 202);
  const { sample } = await jobResult(service, job.job_id);
  const functions = Object.values(expectData(await call(service, 'GET', `/samples/${sample.sample_id}/functions`))) as any[];
  return { sampleId: sample.sample_id, offsets: new Map(functions.map((fn) => [fn.function_id, Number(fn.offset)])) };
}

test('getMatchesForSampleVs pairs the identical and the similar functions of elf32-O2 and pe32-O2.exe', async () => {
  const elf = await addBinary('elf32-O2');
  const pe = await addBinary('pe32-O2.exe');
  const job = expectData(await call(service, 'GET', `/matches/sample/${elf.sampleId}/${pe.sampleId}`), 202);
  const report = await jobResult(service, job.job_id);
  const matchesAt = new Map<number, [number, number, number, number, number][]>(report.matches.functions.map((fn: any) => [Number(fn.offset), fn.matches]));
  const counterpartMatch = (name: string) =>
    matchesAt.get(addressOf('elf32-O2', name))?.find(([, , foreignId]) => pe.offsets.get(foreignId) === addressOf('pe32-O2.exe', name));

  for (const name of ['sum_squares', 'checksum', 'gcd']) {
    const match = counterpartMatch(name);
    assert.ok(match, name);
    assert.equal(match[3], 100, name);
    assert.ok(match[4] & IS_PICHASH_FLAG, `${name}: PicHash match`);
  }
  // Similar but not identical code (56% of MinHash slots equal): a MinHash match only.
  const fibonacci = counterpartMatch('fibonacci');
  assert.ok(fibonacci && fibonacci[3] >= 50 && !(fibonacci[4] & IS_PICHASH_FLAG));
  // No toolkit function is paired by PicHash with anything but its counterpart.
  for (const name of TOOLKIT_FUNCTIONS) {
    for (const [, , foreignId, , flags] of matchesAt.get(addressOf('elf32-O2', name)) ?? []) {
      if (flags & IS_PICHASH_FLAG) assert.equal(pe.offsets.get(foreignId), addressOf('pe32-O2.exe', name), name);
    }
  }
});

test('POST /query/binary and /query/binary/mapped/{base_addr}: a binary matched without being stored', async () => {
  const stored = await addBinary('pe64-O2.exe');
  const status = expectData(await call(service, 'GET', '/status')).status;
  const query = async (path: string, body: Buffer) => {
    const job = expectData(await call(service, 'POST', path, body, null), 202);
    return { job, report: await jobResult(service, job.job_id) };
  };
  const file = binary('pe64-O2.exe');
  const unmapped = await query('/query/binary?minhash_score=60', file);
  assert.deepEqual([unmapped.job.method, unmapped.job.parameters.minhash_threshold], ['getMatchesForUnmappedBinary', 60]);
  const { image, baseAddr } = loadBinary(file);
  const mapped = await query(`/query/binary/mapped/0x${baseAddr.toString(16)}?bitness=64`, Buffer.from(image));
  assert.deepEqual([mapped.job.method, mapped.job.parameters.base_addr], ['getMatchesForMappedBinary', String(baseAddr)]);
  for (const { report } of [unmapped, mapped]) {
    assert.equal(report.info.type, 'matcher_query');
    assert.equal(report.info.sample.sample_id, -1);
    const matchedToStored = report.matches.functions.filter((fn: any) => fn.matches.some((t: number[]) => t[1] === stored.sampleId && t[3] === 100));
    assert.ok(matchedToStored.length > 20, `${matchedToStored.length} functions matched their stored copy`);
  }
  assert.deepEqual(expectData(await call(service, 'GET', '/status')).status, status, 'queries store nothing');
  for (const [path, body, message] of [
    ['/query/binary', Buffer.alloc(0), /needs the file/],
    ['/query/binary', Buffer.from('MZ not really'), /invalid binary/],
    ['/query/binary/mapped/zz', Buffer.alloc(64, 0x90), /base_addr/],
  ] as const) {
    const answer = await call(service, 'POST', path, body, null);
    assert.equal(answer.status, 400, path);
    assert.match(answer.body.data.message, message);
  }
});
