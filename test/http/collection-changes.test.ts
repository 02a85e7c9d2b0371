import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/harness.js';
import { call, expectData, ingest } from '../support/collection.js';
import { expectFailure } from '../support/http-helpers.js';

/** PUT /samples/{id} and PUT /families/{id}: synchronous changes, every bad input refused. */

const FORM = 'application/x-www-form-urlencoded';
const json = (value: unknown) => JSON.stringify(value);

const badValue = (field: string, expected: string, got: unknown) => `invalid body field '${field}': expected ${expected}, got ${JSON.stringify(got)}`;
const FAMILY_NAME = 'a family name of at most 64 letters and digits, with single dots, dashes or underscores between them';
const BOOLEAN = 'a boolean: true, false, 1 or 0';
const printable = (what: string) => `a ${what} of at most 64 printable ASCII characters`;

/** Bad bodies every change route refuses the same way: [what, body, content type, status, message]. */
function commonBadBodies(fields: string): [string, string | undefined, string | null, number, string | RegExp][] {
  const object = `an object, JSON or form-encoded, with at least one of ${fields}`;
  return [
    ['no body', undefined, null, 400, `missing body: expected ${object}`],
    ['empty JSON object', '{}', 'application/json', 400, `nothing to change: expected ${fields}`],
    ['empty form', '', FORM, 400, `nothing to change: expected ${fields}`],
    ['unknown field', json({ familyname: 'x' }), 'application/json', 400, `unknown body field 'familyname': expected ${fields}`],
    ['JSON array', '[1]', 'application/json', 400, `invalid body: expected ${object}, got [1]`],
    ['JSON null', 'null', 'application/json', 400, `missing body: expected ${object}`],
    ['broken JSON', '{"family_name":', 'application/json', 400, /not valid JSON/],
    ['repeated form field', 'family_name=a&family_name=b', FORM, 400, badValue('family_name', FAMILY_NAME, ['a', 'b'])],
    ['text body', 'family_name=a', 'text/plain', 415, 'unsupported content type "text/plain": expected application/json or application/x-www-form-urlencoded'],
    ['body without content type', 'family_name=a', null, 415, 'a body needs a content type: application/json or application/x-www-form-urlencoded'],
    ['family name with two dots in a row', json({ family_name: 'a..b' }), 'application/json', 400, badValue('family_name', FAMILY_NAME, 'a..b')],
    ['family name starting with a dash', json({ family_name: '-ab' }), 'application/json', 400, badValue('family_name', FAMILY_NAME, '-ab')],
    ['family name ending with an underscore', 'family_name=ab_', FORM, 400, badValue('family_name', FAMILY_NAME, 'ab_')],
    ['family name with a space', json({ family_name: 'a b' }), 'application/json', 400, badValue('family_name', FAMILY_NAME, 'a b')],
    ['family name of 65 characters', json({ family_name: 'x'.repeat(65) }), 'application/json', 400, badValue('family_name', FAMILY_NAME, 'x'.repeat(65))],
    ['family name as a number', json({ family_name: 5 }), 'application/json', 400, badValue('family_name', FAMILY_NAME, 5)],
    ['is_library yes', 'is_library=yes', FORM, 400, badValue('is_library', BOOLEAN, 'yes')],
    ['is_library 2', json({ is_library: 2 }), 'application/json', 400, badValue('is_library', BOOLEAN, 2)],
    ['is_library null', json({ is_library: null }), 'application/json', 400, badValue('is_library', BOOLEAN, null)],
    ['is_library empty', 'is_library=', FORM, 400, badValue('is_library', BOOLEAN, '')],
  ];
}

async function expectRefused(service: TestService, path: string, cases: ReturnType<typeof commonBadBodies>): Promise<void> {
  for (const [what, body, contentType, status, message] of cases) {
    const answer = await call(service, 'PUT', path, body, contentType);
    try {
      expectFailure(answer, status, message);
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}`);
    }
  }
}

describe('PUT /samples/{sample_id}', () => {
  let service: TestService;
  let id: number;
  let other: number;
  before(async () => {
    service = await startTestService();
    id = await ingest(service, 'example_report', '?family=alpha');
    other = await ingest(service, 'example_report_2', '?family=alpha');
  });
  after(() => service.close());

  const sample = async (sampleId: number) => expectData(await call(service, 'GET', `/samples/${sampleId}`));
  const family = async (familyId: number) => expectData(await call(service, 'GET', `/families/${familyId}?with_samples=false`));

  test('version, component and is_library change, JSON or form-encoded, and the answer is the changed sample', async () => {
    const [before, otherBefore] = [await sample(id), await sample(other)];
    const changed = expectData(await call(service, 'PUT', `/samples/${id}`, json({ version: '1.2 beta', component: 'loader', is_library: true })));
    assert.deepEqual(changed, { ...before, version: '1.2 beta', component: 'loader', is_library: true });
    assert.deepEqual(await sample(id), changed);
    for (const [text, expected] of [['FALSE', false], ['1', true], ['0', false], ['True', true]] as const) {
      const answer = expectData(await call(service, 'PUT', `/samples/${id}`, `is_library=${text}`, FORM));
      assert.equal(answer.is_library, expected, text);
    }
    for (const [value, expected] of [[0, false], [1, true], ['false', false]] as const) {
      assert.equal(expectData(await call(service, 'PUT', `/samples/${id}`, json({ is_library: value }))).is_library, expected);
    }
    const cleared = expectData(await call(service, 'PUT', `/samples/${id}`, 'version=&component=', FORM));
    assert.deepEqual([cleared.version, cleared.component], ['', '']);
    assert.deepEqual(await sample(other), otherBefore, 'the other sample is untouched');
  });

  test('a new family name files the sample and its functions under a new family; the old family keeps the rest', async () => {
    const alpha = (await sample(id)).family_id;
    const before = await family(alpha);
    const moved = expectData(await call(service, 'PUT', `/samples/${id}`, 'family_name=win.beta-2_x', FORM));
    assert.equal(moved.family, 'win.beta-2_x');
    assert.notEqual(moved.family_id, alpha);
    const functions = Object.values(expectData(await call(service, 'GET', `/samples/${id}/functions`))) as any[];
    assert.ok(functions.length > 0);
    assert.ok(functions.every((fn) => fn.family_id === moved.family_id), 'functions follow their sample');
    const block = functions.find((fn) => fn.picblockhashes.length > 0).picblockhashes[0];
    const blockMatches = expectData(await call(service, 'GET', `/query/picblockhash/${BigInt(block.hash).toString(16)}`)) as number[][];
    const own = blockMatches.filter((m) => m[1] === id);
    assert.ok(own.length > 0 && own.every((m) => m[0] === moved.family_id), 'and so do their PicBlockHash matches');
    const beta = await family(moved.family_id);
    assert.deepEqual([beta.family_name, beta.num_samples, beta.num_functions], ['win.beta-2_x', 1, functions.length]);
    const rest = await family(alpha);
    assert.deepEqual([rest.num_samples, rest.num_functions], [before.num_samples - 1, before.num_functions - functions.length]);
    const back = expectData(await call(service, 'PUT', `/samples/${id}`, json({ family_name: 'alpha' })));
    assert.equal(back.family_id, alpha, 'an existing name is that family');
    const unnamed = expectData(await call(service, 'PUT', `/samples/${id}`, json({ family_name: '' })));
    assert.deepEqual([unnamed.family_id, unnamed.family], [0, '']);
    assert.equal((await family(moved.family_id)).num_samples, 0, 'a family left empty stays');
  });

  test('every bad input is refused naming the field, and nothing changes', async () => {
    const before = await sample(id);
    const tooLong = 'v'.repeat(65);
    await expectRefused(service, `/samples/${id}`, [
      ...commonBadBodies('family_name, version, component, is_library'),
      ['version of 65 characters', json({ version: tooLong }), 'application/json', 400, badValue('version', printable('version'), tooLong)],
      ['version with a tab', json({ version: 'a\tb' }), 'application/json', 400, badValue('version', printable('version'), 'a\tb')],
      ['version with a non-ASCII letter', 'version=%C3%A9', FORM, 400, badValue('version', printable('version'), 'é')],
      ['component as a boolean', json({ component: true }), 'application/json', 400, badValue('component', printable('component'), true)],
      ['component with a newline', 'component=a%0Ab', FORM, 400, badValue('component', printable('component'), 'a\nb')],
      ['one good and one bad field', json({ version: 'ok', is_library: 'maybe' }), 'application/json', 400, badValue('is_library', BOOLEAN, 'maybe')],
    ]);
    assert.deepEqual(await sample(id), before);
    expectFailure(await call(service, 'PUT', '/samples/999', json({ version: 'x' })), 404, 'no sample with id 999');
    expectFailure(await call(service, 'PUT', '/samples/abc', json({ version: 'x' })), 400, /^invalid path parameter 'sample_id'/);
  });
});

describe('PUT /families/{family_id}', () => {
  let service: TestService;
  const ids: Record<string, number> = {};
  before(async () => {
    service = await startTestService();
    ids['a'] = await ingest(service, 'example_report', '?family=alpha');
    ids['b'] = await ingest(service, 'example_report_2', '?family=beta');
    ids['c'] = await ingest(service, 'example_report_3', '?family=beta');
    ids['d'] = await ingest(service, 'library_report', '?family=gamma');
    ids['e'] = await ingest(service, 'crossarch_cil_a');
  });
  after(() => service.close());

  const sample = async (key: string) => expectData(await call(service, 'GET', `/samples/${ids[key]}`));
  const familyOf = async (key: string) => (await sample(key)).family_id as number;
  const family = async (familyId: number) => expectData(await call(service, 'GET', `/families/${familyId}`));
  const functionFamilies = async (key: string) =>
    new Set((Object.values(expectData(await call(service, 'GET', `/samples/${ids[key]}/functions`))) as any[]).map((fn) => fn.family_id));

  test('is_library marks every sample of the family, and only those', async () => {
    const beta = await familyOf('b');
    const answer = expectData(await call(service, 'PUT', `/families/${beta}`, 'is_library=TRUE', FORM));
    assert.deepEqual([answer.family_id, answer.num_samples, answer.num_library_samples], [beta, 2, 2]);
    assert.deepEqual([(await sample('b')).is_library, (await sample('c')).is_library, (await sample('a')).is_library], [true, true, false]);
    const unset = expectData(await call(service, 'PUT', `/families/${beta}`, json({ is_library: false })));
    assert.equal(unset.num_library_samples, 0);
  });

  test('a rename keeps the id; the samples show the new name', async () => {
    const gamma = await familyOf('d');
    const answer = expectData(await call(service, 'PUT', `/families/${gamma}`, json({ family_name: 'Gamma.v2' })));
    assert.deepEqual([answer.family_id, answer.family_name, answer.num_samples], [gamma, 'Gamma.v2', 1]);
    assert.equal((await sample('d')).family, 'Gamma.v2');
    assert.deepEqual(expectData(await call(service, 'PUT', `/families/${gamma}`, json({ family_name: 'Gamma.v2' }))).family_id, gamma, 'its own name: no change');
  });

  test('a rename to the name of another family merges into it: samples and functions move, the renamed family is gone', async () => {
    const [alpha, beta] = [await familyOf('a'), await familyOf('b')];
    const before = [await family(alpha), await family(beta)];
    const answer = expectData(await call(service, 'PUT', `/families/${beta}`, json({ family_name: 'alpha', is_library: true })));
    assert.equal(answer.family_id, alpha, 'the answer is the family holding the samples');
    assert.deepEqual(
      [answer.num_samples, answer.num_functions, answer.num_library_samples],
      [before[0].num_samples + before[1].num_samples, before[0].num_functions + before[1].num_functions, 2],
      'is_library applies to the samples of the renamed family',
    );
    expectFailure(await call(service, 'GET', `/families/${beta}`), 404, `no family with id ${beta}`);
    for (const key of ['a', 'b', 'c']) {
      assert.deepEqual([(await sample(key)).family_id, (await sample(key)).family], [alpha, 'alpha'], key);
      assert.deepEqual([...(await functionFamilies(key))], [alpha], `functions of ${key}`);
    }
    expectFailure(await call(service, 'PUT', `/families/${beta}`, json({ is_library: true })), 404, `no family with id ${beta}`);
  });

  test('a rename to "" merges into family 0, whose name never changes', async () => {
    const gamma = await familyOf('d');
    const answer = expectData(await call(service, 'PUT', `/families/${gamma}`, json({ family_name: '' })));
    assert.deepEqual([answer.family_id, answer.family_name, answer.num_samples], [0, '', 2]);
    assert.deepEqual([...(await functionFamilies('d'))], [0]);
    expectFailure(
      await call(service, 'PUT', '/families/0', json({ family_name: 'named' })),
      400,
      "invalid body field 'family_name': family 0, the unnamed family, keeps its empty name",
    );
    assert.equal(expectData(await call(service, 'PUT', '/families/0', json({ family_name: '', is_library: '1' }))).num_library_samples, 2);
  });

  test('every bad input is refused naming the field, and nothing changes', async () => {
    const alpha = await familyOf('a');
    const families = expectData(await call(service, 'GET', '/families'));
    await expectRefused(service, `/families/${alpha}`, [
      ...commonBadBodies('family_name, is_library'),
      ['a sample field', json({ version: '1' }), 'application/json', 400, "unknown body field 'version': expected family_name, is_library"],
    ]);
    assert.deepEqual(expectData(await call(service, 'GET', '/families')), families);
    expectFailure(await call(service, 'PUT', '/families/999', json({ family_name: 'x' })), 404, 'no family with id 999');
    expectFailure(await call(service, 'PUT', '/families/-1', json({ family_name: 'x' })), 400, /^invalid path parameter 'family_id'/);
  });
});
