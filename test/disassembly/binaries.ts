import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The test binaries built by scripts/build-test-binaries.sh from test/fixtures/binaries/src/. */

export const BINARIES_DIR = fileURLToPath(new URL('../fixtures/binaries/', import.meta.url));

/** Builds with symbols; each also exists as `<name>.stripped`. */
export const BUILDS = ['elf64-O0', 'elf64-O2', 'elf32-O0', 'elf32-O2', 'pe32-O0.exe', 'pe32-O2.exe', 'pe64-O0.exe', 'pe64-O2.exe'] as const;
export type Build = (typeof BUILDS)[number];

export function binary(name: string): Buffer {
  return readFileSync(BINARIES_DIR + name);
}

/** C++ builds of src/shapes.cpp (with symbols; no stripped copies). */
export const CXX_BUILDS = ['cxx64-O0', 'cxx64-O2'] as const;
export type CxxBuild = (typeof CXX_BUILDS)[number];

/** Function symbols of an unstripped build (from nm): address → names. */
export function functionSymbols(build: Build | CxxBuild): Map<number, string[]> {
  const symbols = new Map<number, string[]>();
  for (const line of readFileSync(`${BINARIES_DIR}${build}.functions.txt`, 'utf8').trim().split('\n')) {
    const [address, name] = line.split(' ');
    const key = parseInt(address!, 16);
    symbols.set(key, [...(symbols.get(key) ?? []), name!]);
  }
  return symbols;
}

/** The address of a named function of our toolkit.c in an unstripped build (mingw 32-bit adds a leading `_`). */
export function addressOf(build: Build, name: string): number {
  for (const [address, names] of functionSymbols(build)) if (names.includes(name) || names.includes(`_${name}`)) return address;
  throw new Error(`${name} not in ${build}`);
}

/** PEs from src/delay-import.c that import delayed.dll's functions through delay loading. */
export const DELAY_IMPORT_BUILDS = ['delay-import32.exe', 'delay-import64.exe'] as const;

/** The delay-load IAT slots of a delay-import build (from nm): address → imported function. */
export function delayImportSlots(build: (typeof DELAY_IMPORT_BUILDS)[number]): Map<number, string> {
  const lines = readFileSync(`${BINARIES_DIR}${build}.slots.txt`, 'utf8').trim().split('\n');
  return new Map(lines.map((line) => [parseInt(line.split(' ')[0]!, 16), line.split(' ')[1]!]));
}

/** The C++ symbols of a C++ build (from nm, versions dropped) → LLVM's demangling (llvm-cxxfilt 19, when the script ran). */
export function llvmDemangled(build: CxxBuild): Map<string, string> {
  const lines = readFileSync(`${BINARIES_DIR}${build}.demangled.txt`, 'utf8').trim().split('\n');
  return new Map(lines.map((line) => line.split('\t') as [string, string]));
}

/** The functions of toolkit.c, all compiled `noinline`. */
export const TOOLKIT_FUNCTIONS = [
  'classify', 'sum_squares', 'fibonacci', 'checksum', 'reverse_text', 'ascending', 'insertion_sort', 'build_list', 'list_sum', 'free_list', 'gcd', 'main',
];
