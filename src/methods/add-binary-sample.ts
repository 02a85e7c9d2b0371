import { Type } from 'typebox';
import type { LoadOptions } from '../disassembly/load-binary.js';
import type { Bitness } from '../disassembly/types.js';
import type { JobMethod } from '../jobs/method.js';
import type { JobParameters } from '../jobs/types.js';
import { prepareSample } from '../samples/prepare-sample.js';
import { sampleView } from '../samples/views.js';

/** UTC, YYYY-MM-DDTHH:MM:SS (label timestamps). */
const utcNow = () => new Date().toISOString().slice(0, 19);

/** Share of the progress taken by disassembly; the rest is hashing. */
const DISASSEMBLY_SHARE = 0.6;

/** How the job's parameters say to load its input (`base_addr` travels as a decimal string: exact in JSON). */
export function loadOptionsOf(parameters: JobParameters): LoadOptions {
  const baseAddr = parameters['base_addr'];
  return {
    isDump: parameters['is_dump'] === true,
    baseAddr: typeof baseAddr === 'string' ? Number(baseAddr) : undefined,
    bitness: parameters['bitness'] === 32 || parameters['bitness'] === 64 ? (parameters['bitness'] as Bitness) : undefined,
  };
}

/** The job's input disassembled into an SMDA report (JSON text). */
export async function disassembleInput(input: Uint8Array, parameters: JobParameters, progress: (fraction: number) => void): Promise<string> {
  // Every executor thread loads every method when it starts; the disassembler (and Capstone) only when used.
  const { disassemble } = await import('../disassembly/disassemble.js');
  return (await disassemble(input, { ...loadOptionsOf(parameters), progress })).text;
}

/**
 * Adds a PE or ELF file, or a memory dump, to the collection: disassembles it in-process into an
 * SMDA-shaped report, then hashes and stores it exactly as `addSmdaReport` does. A file the loaders
 * cannot use fails the job with a message saying what is wrong with it.
 */
export const addBinarySample: JobMethod = {
  name: 'addBinarySample',
  parameters: Type.Object(
    {
      family: Type.Optional(Type.String({ maxLength: 256 })),
      filename: Type.Optional(Type.String({ maxLength: 1024 })),
      version: Type.Optional(Type.String({ maxLength: 256 })),
      is_library: Type.Optional(Type.Boolean()),
      is_dump: Type.Optional(Type.Boolean()),
      base_addr: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
      bitness: Type.Optional(Type.Union([Type.Literal(32), Type.Literal(64)])),
      username: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: true },
  ),
  async run({ parameters, input, progress, commit }) {
    if (!input) throw new Error('addBinarySample needs the file as its input');
    const text = await disassembleInput(input, parameters, (fraction) => progress(fraction * DISASSEMBLY_SHARE));
    const sample = prepareSample(text, {
      overrides: {
        family: parameters['family'] as string | undefined,
        filename: parameters['filename'] as string | undefined,
        version: parameters['version'] as string | undefined,
        isLibrary: parameters['is_library'] as boolean | undefined,
      },
      username: (parameters['username'] as string | undefined) ?? 'anonymous',
      labelTimestamp: utcNow(),
      onProgress: (fraction) => progress(DISASSEMBLY_SHARE + fraction * (0.95 - DISASSEMBLY_SHARE)),
    });
    return commit(async (samples) => {
      const { sample: stored, created } = await samples.addSample(sample);
      return { existed: !created, num_functions: sample.functions.length, sample: sampleView(stored) };
    });
  },
};
