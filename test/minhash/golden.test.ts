/**
 * Every function of every fixture report against what MCRIT 1.6.2 with SMDA 4.4.4 stored for it
 * (shared `golden/<report>.golden.json`): all hash-derived FunctionEntry fields and the band hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashFunction } from '../../src/minhash/hash-function.js';
import { signatureHex } from '../../src/minhash/minhash.js';
import type { FunctionHashes } from '../../src/minhash/types.js';
import { FIXTURE_REPORTS, fixtureReport, goldenFunctions, type GoldenFunction } from '../smda/fixtures.js';

/** Our hashes in the golden file's layout (its `function_id` is MCRIT's numbering, not a hash). */
function goldenLayout(hashes: FunctionHashes, functionId: number): GoldenFunction {
  return {
    offset: Number(hashes.offset),
    function_id: functionId,
    num_instructions: hashes.numInstructions,
    num_blocks: hashes.numBlocks,
    binweight: hashes.binweight,
    pichash: hashes.picHash === null ? null : hashes.picHash.toString(),
    minhash: signatureHex(hashes.minhash),
    band_hashes: Object.fromEntries((hashes.bandHashes ?? []).map((hash, band) => [String(band), hash])),
    picblockhashes: hashes.picBlockHashes.map((block) => ({
      offset: Number(block.offset),
      length: block.length,
      size: block.size,
      hash: block.hash.toString(),
    })),
  };
}

for (const name of FIXTURE_REPORTS) {
  test(`${name}.smda: every function equals MCRIT's golden values`, (t) => {
    const report = fixtureReport(name);
    const golden = goldenFunctions(name);
    assert.equal(report.functions.length, golden.length);
    const mismatches: string[] = [];
    report.functions.forEach((fn, index) => {
      const expected = golden[index]!;
      try {
        assert.deepEqual(goldenLayout(hashFunction(report, fn), expected.function_id), expected);
      } catch (error) {
        mismatches.push(`0x${fn.offset.toString(16)}: ${(error as Error).message}`);
      }
    });
    t.diagnostic(`${name}.smda: ${golden.length - mismatches.length}/${golden.length} functions match`);
    assert.deepEqual(mismatches.slice(0, 3), [], `${mismatches.length} of ${golden.length} functions differ`);
  });
}
