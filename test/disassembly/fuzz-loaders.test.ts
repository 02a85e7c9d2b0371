/**
 * Truncated and bit-flipped copies of the real test binaries: `disassemble` either produces a report
 * the report loader accepts, or throws an `InvalidBinaryError` with a message; nothing else, and
 * never slowly; loaded as a dump, an ELF copy always loads. Seeded, so a failure reproduces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { disassemble } from '../../src/disassembly/disassemble.js';
import { loadBinary } from '../../src/disassembly/load-binary.js';
import { InvalidBinaryError } from '../../src/disassembly/types.js';
import { parseSmdaReport } from '../../src/smda/parse-report.js';
import { binary } from './binaries.js';

const SEED = 20261129;
/** Far above what these small files take (tens of ms); a loop gone wrong would blow it. */
const MAX_MS_PER_FILE = 5000;

async function expectCleanOutcome(file: Uint8Array, what: string): Promise<'report' | 'refused'> {
  const started = performance.now();
  try {
    const { text } = await disassemble(file, { timeoutMs: MAX_MS_PER_FILE });
    parseSmdaReport(text);
    return 'report';
  } catch (error) {
    assert.ok(error instanceof InvalidBinaryError, `${what}: ${(error as Error).stack}`);
    assert.ok(error.message.length > 10, what);
    return 'refused';
  } finally {
    assert.ok(performance.now() - started < MAX_MS_PER_FILE, `${what} took ${performance.now() - started} ms`);
  }
}

/** Mutations: a truncation, or flips of random bits, mostly in the headers where the loaders look. */
const mutation = (length: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(length - 1) }),
    fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.tuple(fc.nat(Math.min(length, 1024) * 8 - 1)), { minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.tuple(fc.nat(length * 8 - 1)), { minLength: 1, maxLength: 32 }) }),
  );

function mutate(original: Uint8Array, m: { kind: 'truncate'; at: number } | { kind: 'flip'; bits: [number][] }): Uint8Array {
  // Uint8Array.from copies (a Buffer's slice would share the original's bytes).
  if (m.kind === 'truncate') return Uint8Array.from(original.subarray(0, m.at));
  const copy = Uint8Array.from(original);
  for (const [bit] of m.bits) copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

for (const [name, runs] of [['elf64-O2', 40], ['elf32-O0', 40], ['pe32-O2.exe.stripped', 20], ['pe64-O2.exe.stripped', 20], ['delay-import32.exe', 20], ['cxx64-O2', 20]] as const) {
  test(`${name}: truncated and bit-flipped copies give a report or a readable refusal`, async () => {
    const original = binary(name);
    const outcomes = { report: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(mutation(original.length), async (m) => {
        const mutated = mutate(original, m);
        outcomes[await expectCleanOutcome(mutated, `${name} ${JSON.stringify(m).slice(0, 200)}`)]++;
        // The same bytes as a dump: broken headers in a dump are ignored, never an error.
        if (name.startsWith('elf')) assert.equal(loadBinary(mutated, { isDump: true, baseAddr: 0, bitness: 64 }).format, 'dump');
      }),
      { seed: SEED, numRuns: runs, endOnFailure: true },
    );
    assert.ok(outcomes.refused > 0 && outcomes.report > 0, JSON.stringify(outcomes));
  });
}
