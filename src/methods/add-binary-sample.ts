import { Type } from 'typebox';
import type { LoadOptions } from '../disassembly/load-binary.js';
import type { Bitness } from '../disassembly/types.js';
import type { JobMethod } from '../jobs/method.js';
import type { JobParameters } from '../jobs/types.js';
import { addReportText, SAMPLE_PARAMETERS } from './add-smda-report.js';
import { BAD_INPUT_ERRORS } from './bad-input-errors.js';

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
  permanentErrors: BAD_INPUT_ERRORS,
  parameters: Type.Object(
    {
      ...SAMPLE_PARAMETERS,
      is_dump: Type.Optional(Type.Boolean()),
      base_addr: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
      bitness: Type.Optional(Type.Union([Type.Literal(32), Type.Literal(64)])),
    },
    { additionalProperties: true },
  ),
  async run(context) {
    if (!context.input) throw new Error('addBinarySample needs the file as its input');
    const text = await disassembleInput(context.input, context.parameters, (fraction) => context.progress(fraction * DISASSEMBLY_SHARE));
    return addReportText(context, text, DISASSEMBLY_SHARE);
  },
};
