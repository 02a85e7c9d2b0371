import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/harness.js';
import { call, golden, ingest, REPEATED_REPORTS, shaOf, UNIQUE_REPORTS } from '../support/collection.js';
import { FIXTURE_REPORTS, fixtureText } from '../smda/fixtures.js';
import { TEST_STORE } from '../support/postgres.js';

/** Ingestion of SMDA reports through the HTTP API, and the stored entities read back. */

describe('POST /samples with each fixture report', () => {
  let service: TestService;
  const sampleIds = new Map<string, number>();
  before(async () => {
    service = await startTestService();
    for (const name of UNIQUE_REPORTS) sampleIds.set(name, await ingest(service, name));
  });
  after(() => service.close());

  test('every stored sample equals MCRIT\'s sample entry (ids aside)', async () => {
    for (const name of UNIQUE_REPORTS) {
      const { body } = await call(service, 'GET', `/samples/${sampleIds.get(name)}`);
      const expected = { ...golden(name).sample };
      const actual = { ...body.data };
      for (const key of ['sample_id', 'family_id']) {
        delete expected[key];
        delete actual[key];
      }
      assert.deepEqual(JSON.parse(JSON.stringify(actual, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))), expected, name);
    }
  });

  test('every stored function has MCRIT\'s signature, PicHash, PicBlockHashes and counts', async () => {
    let compared = 0;
    for (const name of UNIQUE_REPORTS) {
      const { body } = await call(service, 'GET', `/samples/${sampleIds.get(name)}/functions`);
      const functions = Object.values(body.data) as any[];
      const expected = golden(name).functions;
      assert.equal(functions.length, expected.length, name);
      functions.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
      expected.forEach((g, i) => {
        const fn = functions[i];
        const where = `${name} function at ${g.offset}`;
        assert.equal(String(fn.offset), String(g.offset), where);
        assert.equal(fn.minhash, g.minhash, where);
        assert.equal(String(fn.pichash), g.pichash, where);
        assert.deepEqual([fn.num_instructions, fn.num_blocks, fn.binweight], [g.num_instructions, g.num_blocks, g.binweight], where);
        assert.deepEqual(
          fn.picblockhashes.map((b: any) => [String(b.hash), b.length, String(b.offset), b.size]),
          g.picblockhashes.map((b) => [b.hash, b.length, String(b.offset), b.size]),
          where,
        );
        compared++;
      });
    }
    assert.ok(compared > 700, `compared ${compared} functions`);
  });

  test('a report whose sha256 is stored gets 409 with the existing sample', async () => {
    assert.ok(REPEATED_REPORTS.length > 0);
    for (const name of [UNIQUE_REPORTS[0]!, ...REPEATED_REPORTS]) {
      const answer = await call(service, 'POST', '/samples', fixtureText(name));
      const first = UNIQUE_REPORTS.find((other) => shaOf(other) === shaOf(name))!;
      assert.equal(answer.status, 409, name);
      assert.equal(answer.body.status, 'failed');
      assert.equal(answer.body.data.sample.sample_id, sampleIds.get(first));
      assert.match(answer.body.data.message, /stored already/);
    }
  });

  test('GET /samples/sha256/{sha256} finds the sample in any case; an unknown one is a 404', async () => {
    const name = FIXTURE_REPORTS[1]!;
    const sha = golden(name).sample['sha256'] as string;
    const found = await call(service, 'GET', `/samples/sha256/${sha.toUpperCase()}`);
    assert.equal(found.body.data.sample_id, sampleIds.get(name));
    const missing = await call(service, 'GET', `/samples/sha256/${'0'.repeat(64)}`);
    assert.deepEqual([missing.status, missing.body.data.message], [404, `no sample with sha256 ${'0'.repeat(64)}`]);
    assert.equal((await call(service, 'GET', '/samples/sha256/abc')).status, 400);
  });

  test('PicHash and PicBlockHash lookups find the stored functions, exactly beyond 2^53', async () => {
    const name = 'example_report';
    const g = golden(name).functions[0]!;
    const hex = BigInt(g.pichash!).toString(16).padStart(16, '0');
    const matches = await call(service, 'GET', `/query/pichash/${hex}`);
    const own = (matches.body.data as number[][]).filter((m) => m[1] === sampleIds.get(name));
    assert.equal(own.length, 1);
    const fn = await call(service, 'GET', `/functions/${own[0]![2]}`);
    assert.equal(String(fn.body.data.pichash), g.pichash);
    const summary = await call(service, 'GET', `/query/pichash/${hex}/summary`);
    assert.equal(summary.body.data.functions, (matches.body.data as unknown[]).length);
    const block = g.picblockhashes[0]!;
    const blocks = await call(service, 'GET', `/query/picblockhash/${BigInt(block.hash).toString(16)}`);
    assert.ok((blocks.body.data as unknown[][]).some((m) => m[2] === own[0]![2] && String(m[3]) === String(block.offset)));
    assert.equal((await call(service, 'GET', '/query/pichash/xyz')).status, 400);
  });

  test('families, functions with their code, and the status counts', async () => {
    const status = (await call(service, 'GET', '/status')).body.data.status;
    const totalFunctions = UNIQUE_REPORTS.reduce((n, name) => n + golden(name).functions.length, 0);
    const hashed = UNIQUE_REPORTS.reduce((n, name) => n + golden(name).functions.filter((f) => f.minhash !== '').length, 0);
    assert.deepEqual(
      [status.num_samples, status.num_functions, status.num_band_entries, status.storage_type],
      [UNIQUE_REPORTS.length, totalFunctions, hashed * 20, TEST_STORE],
    );
    const families = (await call(service, 'GET', '/families')).body.data;
    const counted = Object.values(families).reduce((n: number, f: any) => n + f.num_samples, 0);
    assert.equal(counted, UNIQUE_REPORTS.length);
    const fn = await call(service, 'GET', '/functions/0?with_xcfg=true');
    assert.equal(typeof fn.body.data.xcfg.blocks, 'object');
    assert.equal(String(fn.body.data.xcfg.metadata.pic_hash), String(fn.body.data.pichash), 'xcfg carries the PicHash in force');
    assert.equal((await call(service, 'GET', '/functions/999999')).status, 404);
    assert.equal((await call(service, 'GET', '/families/999')).status, 404);
  });
});

test('a report with a family in its metadata files the sample under that family (example_report_meta)', async () => {
  const service = await startTestService();
  try {
    const name = 'example_report_meta';
    const id = await ingest(service, name);
    const sample = (await call(service, 'GET', `/samples/${id}`)).body.data;
    assert.equal(sample.family, golden(name).sample['family']);
    const family = (await call(service, 'GET', `/families/${sample.family_id}`)).body.data;
    assert.deepEqual([family.family_name, family.num_samples, Object.keys(family.samples)], [sample.family, 1, [String(id)]]);
  } finally {
    await service.close();
  }
});

describe('POST /samples with a bad report', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  const good = () => JSON.parse(fixtureText('example_report_3'));

  test('each malformed report is a 400 naming the problem, and nothing is stored or queued', async () => {
    const withoutXcfg = good();
    delete withoutXcfg.xcfg;
    const wrongType = good();
    wrongType.bitness = 'thirty-two';
    const xcfgArray = good();
    xcfgArray.xcfg = [];
    const wrongArchitecture = good();
    wrongArchitecture.architecture = 'mips';
    const cases: [string, string, RegExp][] = [
      ['truncated JSON', fixtureText('example_report_3').slice(0, 500), /^invalid SMDA report: report: not valid JSON/],
      ['no xcfg', JSON.stringify(withoutXcfg), /^invalid SMDA report: xcfg: missing/],
      ['wrong type', JSON.stringify(wrongType), /^invalid SMDA report: bitness/],
      ['xcfg not an object', JSON.stringify(xcfgArray), /^invalid SMDA report: xcfg: expected an object, got an array of 0/],
      ['truncated inside a function', fixtureText('example_report_3').slice(0, -300), /^invalid SMDA report: report: not valid JSON/],
      ['unbalanced brackets inside a function', fixtureText('example_report_3').replace('"blocks": {', '"blocks": {{'), /^invalid SMDA report: report: not valid JSON/],
      ['unsupported architecture', JSON.stringify(wrongArchitecture), /^invalid SMDA report: architecture: unsupported architecture "mips"/],
      ['not an object', '[1, 2]', /^invalid SMDA report/],
      ['empty body', '', /needs an SMDA report/],
    ];
    for (const [what, body, message] of cases) {
      const answer = await call(service, 'POST', '/samples', body);
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body.status, 'failed', what);
      assert.match(answer.body.data.message, message, what);
    }
    const status = (await call(service, 'GET', '/status')).body.data.status;
    assert.deepEqual([status.num_samples, status.num_functions], [0, 0]);
    assert.equal((await service.engine.store.stats(false)).total_jobs, 0);
  });
});
