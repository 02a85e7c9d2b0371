import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { disassemble } from '../disassembly/disassemble.js';
import { InvalidBinaryError } from '../disassembly/types.js';
import { ProgressBar } from './progress-bar.js';

function address(value: string): number {
  const parsed = /^0x[0-9a-f]+$/i.test(value) ? parseInt(value, 16) : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw new InvalidArgumentError('expected an address, decimal or 0x-hex, below 2^53');
  return parsed;
}

function bitness(value: string): 32 | 64 {
  if (value !== '32' && value !== '64') throw new InvalidArgumentError('expected 32 or 64');
  return Number(value) as 32 | 64;
}

interface DisassembleFlags {
  output?: string;
  dump: boolean;
  baseAddr?: number;
  bitness?: 32 | 64;
}

/** `disassemble FILE`: the SMDA report of a PE/ELF file or a dump as JSON, for inspection. */
export function addDisassembleCommand(program: Command): void {
  program
    .command('disassemble <file>')
    .description('disassemble a PE or ELF file (x86, x64) or a memory dump and write its SMDA report (JSON)')
    .option('-o, --output <path>', 'write the report to this file instead of stdout')
    .option('--dump', 'the file is a memory image (needs --base-addr)', false)
    .option('--base-addr <address>', 'load address of the dump', address)
    .option('--bitness <bits>', '32 or 64 (dumps; guessed when absent)', bitness)
    .action(async (file: string, flags: DisassembleFlags) => {
      const bar = new ProgressBar(`disassembling ${basename(file)}`);
      try {
        const { text, numFunctions } = await disassemble(readFileSync(file), {
          isDump: flags.dump,
          baseAddr: flags.baseAddr,
          bitness: flags.bitness,
          filename: basename(file),
          indent: 1,
          progress: (fraction) => bar.update(fraction),
        });
        bar.done(`${numFunctions} functions`);
        if (flags.output) writeFileSync(flags.output, text);
        else process.stdout.write(`${text}\n`);
      } catch (error) {
        if (!(error instanceof InvalidBinaryError)) throw error;
        console.error(`${file}: ${error.message}`);
        process.exitCode = 1;
      }
    });
}
