/** The escaper of an architecture, as SMDA's `getInstructionEscaper` dispatches. */
import type { SmdaArchitecture } from '../../smda/types.js';
import { AARCH64_ESCAPER } from './aarch64-escaper.js';
import { CIL_ESCAPER } from './cil-escaper.js';
import type { InstructionEscaper } from './instruction-escaper.js';
import { INTEL_ESCAPER } from './intel-escaper.js';

const ESCAPERS: Readonly<Record<SmdaArchitecture, InstructionEscaper>> = {
  intel: INTEL_ESCAPER,
  aarch64: AARCH64_ESCAPER,
  cil: CIL_ESCAPER,
};

export function escaperFor(architecture: SmdaArchitecture): InstructionEscaper {
  return ESCAPERS[architecture];
}
