/**
 * Disassembly speed and yield: functions found and seconds per MB on the test binaries and on
 * system ELF files.
 *
 *   node --import tsx bench/disassemble.ts [--quick] [FILE ...]
 *
 * Inputs: the 16 test binaries (test/fixtures/binaries), then x86-64 ELF files from /usr/bin of
 * 200 KB to 3 MB (8 of them spread over the size range, 3 with --quick), or the FILEs given.
 * Each file is disassembled (Capstone warm: one file runs first, unreported), twice when it takes
 * less than a second; the faster run counts. Reported: functions, wall and CPU seconds, seconds per
 * MB of file and of code (executable areas): on a shared machine CPU time is the steadier number.
 * Reference (measured for this project): SMDA 4.4.4 took 0.2 to 2.7 s per binary of 16 to 730 KB,
 * a 397 KB ELF with 1,355 functions 2.57 s (6.5 s/MB); the goal is 10x that speed, <= 0.65 s/MB.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { disassemble } from '../src/disassembly/disassemble.js';
import { loadBinary } from '../src/disassembly/load-binary.js';
import { printTable, progress, QUICK, REPO_ROOT, round, writeResults } from './support.js';

const startedAt = new Date();
const BINARIES = join(REPO_ROOT, 'test/fixtures/binaries');
const SYSTEM_DIR = '/usr/bin';
const SYSTEM_SIZES: [number, number] = [200 * 1024, 3 * 1024 * 1024];
const SYSTEM_COUNT = QUICK ? 3 : 8;
const SMDA_SECONDS_PER_MB = 2.57 / (397 / 1024);

function isX64Elf(path: string): boolean {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(0) === 0x7f454c46 && header.readUInt16LE(18) === 62;
}

/** x86-64 ELF files of /usr/bin in the size range, `count` of them evenly spread by size. */
function systemFiles(count: number): string[] {
  const files = readdirSync(SYSTEM_DIR)
    .map((name) => join(SYSTEM_DIR, name))
    .filter((path) => {
      const stat = statSync(path, { throwIfNoEntry: false });
      return stat?.isFile() && stat.size >= SYSTEM_SIZES[0] && stat.size <= SYSTEM_SIZES[1] && isX64Elf(path);
    })
    .sort((a, b) => statSync(a).size - statSync(b).size || a.localeCompare(b));
  if (files.length <= count) return files;
  return Array.from({ length: count }, (_, i) => files[Math.round((i * (files.length - 1)) / (count - 1))]!);
}

interface Row {
  file: string;
  format: string;
  bytes: number;
  code_bytes: number;
  functions: number;
  wall_s: number;
  cpu_s: number;
  s_per_mb: number;
  s_per_code_mb: number;
}

async function measure(path: string): Promise<Row> {
  const file = readFileSync(path);
  const binary = loadBinary(file);
  const codeBytes = (binary.codeAreas ?? []).reduce((sum, [start, end]) => sum + (end - start), 0);
  let best = { wall: Infinity, cpu: Infinity, functions: 0 };
  for (let run = 0; run < 2; run++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { numFunctions } = await disassemble(file);
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (wall < best.wall) best = { wall, cpu: (used.user + used.system) / 1e6, functions: numFunctions };
    if (wall >= 1) break;
  }
  const mb = file.length / 2 ** 20;
  return {
    file: path.startsWith(BINARIES) ? basename(path) : path,
    format: `${binary.format}${binary.bitness}`,
    bytes: file.length,
    code_bytes: codeBytes,
    functions: best.functions,
    wall_s: round(best.wall, 3),
    cpu_s: round(best.cpu, 3),
    s_per_mb: round(best.wall / mb, 3),
    s_per_code_mb: round(best.wall / (codeBytes / 2 ** 20), 3),
  };
}

const given = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const testBinaries = readdirSync(BINARIES)
  .filter((name) => !name.endsWith('.txt') && name !== 'src')
  .sort()
  .map((name) => join(BINARIES, name));
const system = given.length > 0 ? given : systemFiles(SYSTEM_COUNT);

await disassemble(readFileSync(testBinaries[0]!)); // warm-up: Capstone's module, JIT
const rows: Row[] = [];
for (const path of [...testBinaries, ...system]) {
  progress(path);
  rows.push(await measure(path));
}

const columns = ['file', 'format', 'KB', 'code KB', 'functions', 'wall s', 'cpu s', 's/MB', 's/MB code'];
const cells = (row: Row) => [row.file, row.format, round(row.bytes / 1024, 0), round(row.code_bytes / 1024, 0), row.functions, row.wall_s, row.cpu_s, row.s_per_mb, row.s_per_code_mb];
const testRows = rows.slice(0, testBinaries.length);
const systemRows = rows.slice(testBinaries.length);
printTable('test binaries', columns, testRows.map(cells));
printTable(`system files (${SYSTEM_DIR}, ${SYSTEM_SIZES[0] / 1024} KB to ${SYSTEM_SIZES[1] / 2 ** 20} MB)`, columns, systemRows.map(cells));

const total = (list: Row[], key: 'bytes' | 'code_bytes' | 'wall_s' | 'cpu_s') => list.reduce((sum, row) => sum + row[key], 0);
const systemSecondsPerMb = total(systemRows, 'wall_s') / (total(systemRows, 'bytes') / 2 ** 20);
const perCodeMb = systemRows.map((row) => row.s_per_code_mb);
printTable('system files together', ['', 'value'], [
  ['files', systemRows.length],
  ['MB', round(total(systemRows, 'bytes') / 2 ** 20, 2)],
  ['functions', systemRows.reduce((sum, row) => sum + row.functions, 0)],
  ['s/MB (wall)', round(systemSecondsPerMb, 3)],
  ['s/MB (cpu)', round(total(systemRows, 'cpu_s') / (total(systemRows, 'bytes') / 2 ** 20), 3)],
  ['s/MB code, min .. max (linearity)', `${Math.min(...perCodeMb)} .. ${Math.max(...perCodeMb)}`],
  ['speed vs SMDA 4.4.4 (6.5 s/MB)', `${round(SMDA_SECONDS_PER_MB / systemSecondsPerMb, 1)}x`],
]);

const path = writeResults(
  'disassemble',
  {
    smda_reference_s_per_mb: round(SMDA_SECONDS_PER_MB, 2),
    test_binaries: testRows,
    system_files: systemRows,
    system_s_per_mb: round(systemSecondsPerMb, 3),
    speedup_vs_smda: round(SMDA_SECONDS_PER_MB / systemSecondsPerMb, 1),
  },
  startedAt,
);
console.log(`\nwrote ${path}`);
