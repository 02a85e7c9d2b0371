import { deflateRawSync } from 'node:zlib';
import { bandHashes } from '../minhash/bands.js';
import type { FunctionLabel, NewFunction, NewSample, SampleRecord } from '../samples/types.js';
import type { SampleStore } from './sample-store.js';

/**
 * Moving a collection between stores (SQLite → PostgreSQL is how a deployment grows): `export`
 * writes it as JSON lines, `import` adds them to another store. Nothing is recomputed from code:
 * signatures, PicHashes, PicBlockHashes, labels and each function's stored code travel as they are;
 * only the band hashes, a function of the signature, are derived again on import (as
 * rebuildIndex does). Ids are the target store's: a sample already there (by sha256) is skipped.
 *
 * File: a header line `{"format":"mcrit-ts-collection","version":1}`, then one line per sample
 * `{"sample": {...}, "functions": [...]}`. 64-bit integers are decimal strings, signatures hex,
 * a function's code (`xcfg`) its lossless JSON text.
 */
export const TRANSFER_FORMAT = { format: 'mcrit-ts-collection', version: 1 } as const;

/** Samples read per page while exporting. */
const EXPORT_PAGE = 100;

interface ExportedFunction {
  offset: string;
  functionName: string;
  architecture: string;
  numInstructions: number;
  numBlocks: number;
  binweight: number;
  picHash: string | null;
  minhash: string | null;
  picBlockHashes: [string, number, number, string][];
  labels: FunctionLabel[];
  xcfg: string;
}

interface ExportedSample {
  sample: Omit<SampleRecord, 'id' | 'familyId' | 'numFunctions' | 'baseAddr' | 'binarySize'> & { baseAddr: string; binarySize: string };
  functions: ExportedFunction[];
}

export interface TransferCounts {
  samples: number;
  functions: number;
  /** Import only: samples whose sha256 the target already had. */
  skipped: number;
}

/** Writes every sample of `samples`, in id order, as lines to `write`; `progress` gets samples written and in all. */
export async function exportCollection(
  samples: SampleStore,
  write: (line: string) => Promise<void> | void,
  progress?: (written: number, total: number) => void,
): Promise<TransferCounts> {
  const counts: TransferCounts = { samples: 0, functions: 0, skipped: 0 };
  const total = (await samples.status()).numSamples;
  await write(JSON.stringify(TRANSFER_FORMAT));
  for (let offset = 0; ; offset += EXPORT_PAGE) {
    const page = await samples.listSamples(offset, EXPORT_PAGE);
    if (page.length === 0) break;
    for (const record of page) {
      const { id, familyId: _familyId, numFunctions: _numFunctions, baseAddr, binarySize, ...sample } = record;
      const functions: ExportedFunction[] = [];
      for (const fn of await samples.functionsOfSample(id)) {
        const xcfg = await samples.getFunctionXcfg(fn.id);
        if (xcfg === undefined) throw new Error(`function ${fn.id} of sample ${id} vanished during the export`);
        functions.push({
          offset: fn.offset.toString(),
          functionName: fn.functionName,
          architecture: fn.architecture,
          numInstructions: fn.numInstructions,
          numBlocks: fn.numBlocks,
          binweight: fn.binweight,
          picHash: fn.picHash === null ? null : fn.picHash.toString(),
          minhash: fn.minhash && Buffer.from(fn.minhash).toString('hex'),
          picBlockHashes: fn.picBlockHashes.map((b) => [b.offset.toString(), b.length, b.size, b.hash.toString()]),
          labels: fn.labels,
          xcfg,
        });
      }
      const line: ExportedSample = { sample: { ...sample, baseAddr: baseAddr.toString(), binarySize: binarySize.toString() }, functions };
      await write(JSON.stringify(line));
      counts.samples++;
      counts.functions += functions.length;
      progress?.(counts.samples, total);
    }
  }
  return counts;
}

function toNewSample({ sample, functions }: ExportedSample): NewSample {
  return {
    ...sample,
    baseAddr: BigInt(sample.baseAddr),
    binarySize: BigInt(sample.binarySize),
    functions: functions.map((fn): NewFunction => {
      const minhash = fn.minhash === null ? null : new Uint8Array(Buffer.from(fn.minhash, 'hex'));
      return {
        offset: BigInt(fn.offset),
        functionName: fn.functionName,
        architecture: fn.architecture,
        numInstructions: fn.numInstructions,
        numBlocks: fn.numBlocks,
        binweight: fn.binweight,
        picHash: fn.picHash === null ? null : BigInt(fn.picHash),
        minhash,
        bandHashes: minhash && bandHashes(minhash),
        picBlockHashes: fn.picBlockHashes.map(([offset, length, size, hash]) => ({ offset: BigInt(offset), length, size, hash: BigInt(hash) })),
        labels: fn.labels,
        xcfgDeflated: deflateRawSync(fn.xcfg, { level: 1 }),
      };
    }),
  };
}

/** Adds the samples of an export to `samples`, each in its own transaction. */
export async function importCollection(samples: SampleStore, lines: AsyncIterable<string>): Promise<TransferCounts> {
  const counts: TransferCounts = { samples: 0, functions: 0, skipped: 0 };
  let header = true;
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    const value = JSON.parse(line);
    if (header) {
      if (value?.format !== TRANSFER_FORMAT.format || value?.version !== TRANSFER_FORMAT.version) {
        throw new Error(`line ${number}: not a ${TRANSFER_FORMAT.format} version ${TRANSFER_FORMAT.version} file`);
      }
      header = false;
      continue;
    }
    const { created } = await samples.addSample(toNewSample(value as ExportedSample));
    if (created) {
      counts.samples++;
      counts.functions += (value as ExportedSample).functions.length;
    } else counts.skipped++;
  }
  if (header) throw new Error(`an empty file: no ${TRANSFER_FORMAT.format} header`);
  return counts;
}
