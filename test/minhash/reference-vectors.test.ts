/** The values of reference sections 3.1, 5.4, 8.2 and 8.4 (SMDA 4.4.4, worker path, default configuration). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escaperFor } from '../../src/minhash/escaping/escaper-for.js';
import { hashFunction, imageBounds } from '../../src/minhash/hash-function.js';
import { signatureHex } from '../../src/minhash/minhash.js';
import { fixtureReport, functionAt } from '../smda/fixtures.js';

/** offset, instructions, blocks, binweight, PicHash, PicHash recomputed (differs from the file), PicBlockHashes, signature. */
type Row = [number, number, number, number, bigint, boolean, number, string];

const EXAMPLE_REPORT: Row[] = [
  [0x0, 120, 20, 354, 0xf9ce9cce9d13662bn, true, 9, '7e71b7cd63682ed9f91ae0be332b874f708f2d5d6f59e71f1738ff0bc4e966bb57ed74bd71afbd3e4d28939929c2ceb765cd7d888d7fbc062c564a57f992718a'],
  [0x164, 2, 1, 6, 0x186dfc69fb79a89fn, false, 0, ''],
  [0x16c, 207, 37, 638, 0xa16ffab67a553372n, true, 23, '1d1b001ec2e8fc252a43ffcc759cbfbd6586d9590878e73c8dc48744d4fc9070a13374bdb659f771e0de63e1293410aeffcd7d889dd2514cdc894a577e920f09'],
  [0x3ec, 64, 16, 166, 0xa3aa59710cd40a16n, true, 8, '6efdc985c268aaf1b12ae1b80655b7e170181e35cf59664c742fc6a64ae993dfa2edea846e5a267122dd50a01037ce2015026293e57f739def9a5140520cf1c6'],
  [0x494, 365, 66, 1047, 0xe57abfc309f93033n, true, 42, '5c6fb71e820334ea2a2dcdb804f2bf057086f25908a16a3c8de5835cd4e990bfa1517484b6073e8b222863a0296a72ae69187dc14ad20431dc154a151a922e65'],
  [0x8ac, 11, 1, 35, 0x41a19dbe67487d12n, false, 1, '2dfdded9956422fbed2aa12a4542d74085d1ca27873d5b0c73213e5e831c81d9b0eb1f7cb148d9b84acffb58e825c8e9553f7638f778d16244ddfa4e40f94bfb'],
  [0x8d0, 159, 35, 524, 0xf3499911d0707f5en, true, 32, '19fd005f4c3bfc256b5ce7b8719c6be1511828ce983a62627483d0664ac88adfbbed74dbb643737124afc2ff062eceae3b3c5c3bc51673c87d4ec3ec7292a9c2'],
  [0xadc, 287, 44, 915, 0x4e22fa9778ffb402n, true, 27, '55ddecf663eb1008c222a1be48b1bfd06586ed59cf78e73769e58744d4fc9093a15174b1b659a871e0de4b95293472aeffcd7d889dd2c882f4894a578c922e09'],
  [0xe70, 226, 29, 727, 0xb273f284534c956bn, true, 20, '1d71d21e13172e0a2a2267b875b3bfc84318f24dcf78e7cd8dcee2444ada661e57515f8456af0b64352863a034c272202aa0eca09d0773b0dc9a62150fb90f09'],
  [0x1148, 543, 90, 1850, 0xa6b10116cedd23bfn, true, 52, 'd018c68a829734edba2d11b8b86fbf1f4386fd5908a1e73c7a30e25cd4da12bfe7515fbdb673b8a822985384291e7235ff187dbf9dd27303ec084a4e0fb970e5'],
];

const CROSS_ARCHITECTURE: [string, number, number, bigint, boolean, string][] = [
  ['crossarch_aarch64_a', 0x100003438, 106, 0x0d4cf1a7154cbd20n, false, '6efdf385c29800d9b126ec44066fb0e14dbc94f91fe1625caf32e10eeed428bd19b565a374e12c24b6666387378c9684ac0b9aa0292cd897dc03625d9e83fd6a'],
  ['crossarch_aarch64_a', 0x1000039a8, 51, 0x959be3ead28b2ee7n, false, 'cdfdfccd63d000d9f95c6293a5606be114bcfff91fe1ca5caf71a664738d90ce63fc8ee4849b2c481ade6ac070f6df8405ae68a929288197d5286b1e9e68346a'],
  ['crossarch_cil_a', 0x470, 291, 0x5f7a89c3e364a4bbn, true, 'b1938f8a0dc3aa73be2d6d54d91349a46f3820a2f0d752da999a49296af6113020026e0b5bd8df519d5f6a2f9fb5210082369ba972afd164d5db6b4ec588a1f2'],
  ['crossarch_cil_a', 0x970, 33, 0xd6d8f177660048fcn, true, '4b71c9674ce42ef75375f1a62355e87f6f38bd27f04a52da047e49296af6fa30cb02f50bc648df5113b40a2f9f2521000a149bc98c218864b5db0b983b133cf2'],
];

test('example_report.smda: every function of the table of reference 8.4', () => {
  const report = fixtureReport('example_report');
  assert.equal(report.functions.length, EXAMPLE_REPORT.length);
  for (const [offset, instructions, blocks, binweight, pichash, recomputed, picBlockCount, signature] of EXAMPLE_REPORT) {
    const fn = functionAt(report, offset);
    const hashes = hashFunction(report, fn);
    const name = `0x${offset.toString(16)}`;
    assert.equal(hashes.numInstructions, instructions, name);
    assert.equal(hashes.numBlocks, blocks, name);
    assert.equal(hashes.binweight, binweight, name);
    assert.equal(hashes.picHash, pichash, name);
    assert.equal(fn.metadata.storedPicHash !== pichash, recomputed, name);
    assert.equal(hashes.picBlockHashes.length, picBlockCount, name);
    assert.equal(signatureHex(hashes.minhash), signature, name);
  }
});

test('example_report.smda function 0x0: stored and used PicHash, first PicBlockHashes, band hashes', () => {
  const report = fixtureReport('example_report');
  const fn = functionAt(report, 0);
  assert.equal(fn.metadata.storedPicHash, 1735082234858742286n);
  const hashes = hashFunction(report, fn);
  assert.equal(hashes.picHash, 18000497171858941483n);
  assert.deepEqual(hashes.picBlockHashes.slice(0, 3), [
    { offset: 0n, length: 14, size: 41, hash: 9326296716686560440n },
    { offset: 41n, length: 4, size: 8, hash: 2895645915901983429n },
    { offset: 49n, length: 8, size: 23, hash: 3664048060575429848n },
  ]);
  assert.deepEqual(
    hashes.bandHashes!.map((hash) => hash.toString(16).padStart(8, '0')).join(' '),
    '8ec45eb4 a98dee8d 3b3561bd 13ff4350 773f1e0b 040a0cec 5e4758f2 7965d6a4 98f713e7 44116f9f e0c288a6 31a154a6 67d9c3d0 3974926a 0ffa3d1f 875aaf96 4b4fc5e7 975d678c dc1154c6 107ed4c5',
  );
});

test('library_report.smda holds copies of 0x0, 0x16c and 0x3ec with identical values', () => {
  const example = fixtureReport('example_report');
  const library = fixtureReport('library_report');
  for (const offset of [0x0, 0x16c, 0x3ec]) {
    assert.deepEqual(hashFunction(library, functionAt(library, offset)), hashFunction(example, functionAt(example, offset)));
  }
});

test('the PicHash worked example of reference 3.1 (function 0x8ac)', () => {
  const report = fixtureReport('example_report');
  const fn = functionAt(report, 0x8ac);
  const escaper = escaperFor('intel');
  const escaped = fn.blocks.flatMap((block) => block.instructions.map((instruction) => escaper.escapedBinary(instruction, imageBounds(report)))).join('');
  assert.equal(escaped, '8d44240c506a00ff742410ff742410e8????????ff7004ff30ff15????????83c418c3');
  assert.equal(hashFunction(report, fn).picHash, 4729234524817882386n);
});

test('cross-architecture rows of reference 8.4', () => {
  for (const [name, offset, instructions, pichash, recomputed, signature] of CROSS_ARCHITECTURE) {
    const report = fixtureReport(name);
    const fn = functionAt(report, offset);
    const hashes = hashFunction(report, fn);
    const label = `${name} 0x${offset.toString(16)}`;
    assert.equal(hashes.numInstructions, instructions, label);
    assert.equal(hashes.picHash, pichash, label);
    assert.equal(fn.metadata.storedPicHash !== pichash, recomputed, label);
    assert.equal(signatureHex(hashes.minhash), signature, label);
  }
});

test('MCRIT tests/testMinhashing.py and testStorage.py on example_report.smda', () => {
  const report = fixtureReport('example_report');
  const signature = (offset: number) => signatureHex(hashFunction(report, functionAt(report, offset)).minhash);
  assert.ok(signature(0).startsWith('7e71b7cd63682ed9'));
  assert.ok(signature(4424).startsWith('d018c68a829734ed'));
  assert.equal(signature(356), '', 'function 356 has 2 instructions: not minhashable');
  assert.equal(new Set(report.functions.map((fn) => hashFunction(report, fn).picHash)).size, 10, '10 distinct PicHashes');
});
