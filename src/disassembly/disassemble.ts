/** `disassemble`: file bytes → SMDA-shaped report, in-process (load, find functions, write the report). */
import { ImageDecoder } from './decoder.js';
import { FunctionFinder } from './function-finder.js';
import { loadBinary, type LoadOptions } from './load-binary.js';
import { writeReport } from './report-writer.js';

export interface DisassembleOptions extends LoadOptions {
  /** `metadata.filename` of the report (SMDA leaves it empty for buffers; MCRIT sets it later). */
  filename?: string;
  /** Indentation of the JSON text (SMDA writes 1); compact by default. */
  indent?: number;
  progress?: (fraction: number) => void;
  /** Wall-clock limit of the analysis (SMDA: 300 s); the report then has status `timeout`. */
  timeoutMs?: number;
}

export interface Disassembly {
  /** The report as JSON text (exact PicHashes), ready for `prepareSample`. */
  text: string;
  numFunctions: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

/** Throws `InvalidBinaryError` for files the loaders cannot use. */
export async function disassemble(file: Uint8Array, options: DisassembleOptions = {}): Promise<Disassembly> {
  const binary = loadBinary(file, options);
  const decoder = await ImageDecoder.open(binary.image, binary.baseAddr, binary.bitness);
  const started = performance.now();
  const finder = new FunctionFinder(binary, decoder, {
    progress: options.progress,
    deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  finder.run();
  const text = writeReport({ file, binary, finder, filename: options.filename ?? '', executionTime: (performance.now() - started) / 1000 }, options.indent);
  return { text, numFunctions: finder.functions.size };
}
