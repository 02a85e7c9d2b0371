import { signatureHex } from '../minhash/minhash.js';
import type { FamilyRecord, FunctionRecord, SampleRecord } from './types.js';

/**
 * The entities as MCRIT's API shows them (its `toDict` key order). Addresses are two's-complement
 * signed 64-bit, as MCRIT emits them; PicHashes unsigned 64-bit. Both are bigints here and must be
 * serialised with `stringifyLossless`.
 */
const signed64 = (value: bigint): bigint => BigInt.asIntN(64, value);

export function sampleView(sample: SampleRecord) {
  return {
    architecture: sample.architecture,
    base_addr: signed64(sample.baseAddr),
    binary_size: sample.binarySize,
    binweight: sample.binweight,
    bitness: sample.bitness,
    component: sample.component,
    family_id: sample.familyId,
    family: sample.family,
    filename: sample.filename,
    is_library: sample.isLibrary,
    sample_id: sample.id,
    sha256: sample.sha256,
    smda_version: sample.smdaVersion,
    statistics: sample.statistics,
    timestamp: sample.timestamp,
    version: sample.version,
  };
}

export function familyView(family: FamilyRecord, samples?: SampleRecord[]) {
  return {
    family_id: family.id,
    family_name: family.name,
    num_samples: family.numSamples,
    num_functions: family.numFunctions,
    num_library_samples: family.numLibrarySamples,
    ...(samples && { samples: Object.fromEntries(samples.map((s) => [s.id, sampleView(s)])) }),
  };
}

export function functionView(fn: FunctionRecord, xcfg: unknown = null) {
  return {
    architecture: fn.architecture,
    binweight: fn.binweight,
    family_id: fn.familyId,
    function_id: fn.id,
    function_name: fn.functionName,
    function_labels: fn.labels.map((l) => ({ function_label: l.label, username: l.username, timestamp: l.timestamp })),
    matches: {},
    minhash: signatureHex(fn.minhash),
    minhash_shingle_composition: {},
    num_blocks: fn.numBlocks,
    num_instructions: fn.numInstructions,
    offset: signed64(fn.offset),
    pichash: fn.picHash,
    picblockhashes: fn.picBlockHashes.map((b) => ({ offset: signed64(b.offset), hash: b.hash, length: b.length, size: b.size })),
    sample_id: fn.sampleId,
    xcfg,
  };
}
