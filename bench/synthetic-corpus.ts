/**
 * A synthetic corpus of SMDA reports, generated from the functions of the shared fixture reports with
 * controlled, seeded mutations: as many reports and functions as a benchmark needs, with realistic
 * variety, and a manifest saying where every function comes from and what was done to it.
 *
 *   const templates = loadTemplates();
 *   for (const report of syntheticReports(templates, { seed: 1, reports: 100 })) post(report.text);
 *
 * How a report is made
 * - It has one template (a fixture report), chosen at random (weighted by the templates' function
 *   counts by default), and keeps the template's architecture, bitness, base address and binary size:
 *   escaping (hence PicHash, PicBlockHashes and the MinHash) depends on the image bounds, so an
 *   unmutated copy hashes exactly like its source function, whatever report it is in.
 * - It holds `functionsPerReport` functions (uniform in [min, max]) drawn from the template's functions
 *   without replacement; beyond the template's count a new round of draws starts, so a source
 *   function may occur several times (each copy mutated independently).
 * - Each function is relocated to a new offset: functions are laid out in draw order from the
 *   template's lowest code address, with random gaps. Every address inside the function (blocks,
 *   instructions, block/api/out/string references, strongly connected components) moves with it;
 *   calls to a function of the same report point to its (first) copy; `inrefs` are recomputed from
 *   the report's calls. Instruction offsets do not enter any hash. Relocated functions may extend
 *   beyond the template's `binary_size`, which stays as it is (see above); ingestion does not check it.
 * - A new sha256 (and md5/sha1 if the template has them), file name, family and timestamp; the
 *   statistics are recounted.
 *
 * Mutations (`MutationRates`, every draw from one seeded generator per report: report i is the same
 * for the same seed and options, whatever else is generated)
 * - a function is mutated with probability `functions`; an unmutated function is an exact copy: same
 *   PicHash, PicBlockHashes and MinHash as its source (and as every other exact copy of it);
 * - in a mutated function each block is mutated with probability `blocks` (at least one block is);
 * - a mutated block gets one mutation, of a kind drawn with the `kinds` weights:
 *   - `immediate`: one byte of an instruction's encoding changes, chosen so that the change shows
 *     through the escaping (a byte PicHash does not wildcard), instructions with a numeric literal
 *     first, whose literal changes too. Changes the PicHash and the block's PicBlockHash, never the
 *     MinHash (constants escape to classes);
 *   - `register`: a general-purpose register of one instruction becomes another one, and a byte of
 *     its encoding changes visibly (`immediate` instead when the block names no such register, e.g.
 *     CIL). Changes the PicHash and PicBlockHash, never the MinHash (registers escape to `REG`);
 *   - `drop`: one instruction (not the block's last) is removed (`duplicate` for 1-instruction blocks);
 *   - `duplicate`: one instruction (not the block's last) is repeated right after itself;
 *   - `replace`: every instruction but the block's last is replaced by one drawn at random from all
 *     instructions of the template (`immediate` for 1-instruction blocks): new code.
 *   `drop`, `duplicate` and `replace` change the PicHash and the block's PicBlockHash and usually
 *   the MinHash. Instruction offsets of a mutated block are recounted.
 *   Measured on the fixtures, one mutated block per function (signature slots equal to the source's,
 *   of 64): immediate, register 64 (PicHash always different); drop 55-62; duplicate 57-62; replace
 *   28 (AArch64) to 56 (Intel). Functions of 10 or fewer instructions have no MinHash at all.
 * - The manifest (`SyntheticReport.functions`) lists, per function, its new offset, its source
 *   (template, offset) and the mutations applied (block, kind actually applied).
 * - Templates whose stored PicHashes are trusted by the loader (`storedPicHashesAreCurrent`, e.g. the
 *   AArch64 fixtures) get the PicHash of each mutated function recomputed into `metadata.pic_hash`,
 *   so the report says what SMDA would; the others have it recomputed at ingestion anyway.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escaperFor } from '../src/minhash/escaping/escaper-for.js';
import type { ImageBounds, InstructionEscaper } from '../src/minhash/escaping/instruction-escaper.js';
import { imageBounds } from '../src/minhash/hash-function.js';
import { picHash } from '../src/minhash/pichash.js';
import { integerFromToken, integerToken, parseJsonWithIntegerTokens, stringifyWithIntegerTokens } from '../src/smda/lossless-json.js';
import { parseSmdaFunction } from '../src/smda/parse-function.js';
import { parseSmdaReport } from '../src/smda/parse-report.js';
import type { SmdaReport } from '../src/smda/types.js';

export const FIXTURES_DIR = join(process.env['MCRIT_FIXTURES'] ?? '/work/shared/fixtures', 'mcrit-tests');

/**
 * The fixture reports with a sha256 of their own and all their functions: `example_report_meta`
 * repeats `example_report` (other metadata), `library_report` and `example_report_3` hold a subset
 * of the functions of `example_report` and `example_report_2` under the same sha256.
 */
export const DISTINCT_FIXTURES = [
  'crossarch_aarch64_a',
  'crossarch_aarch64_b',
  'crossarch_cil_a',
  'crossarch_cil_b',
  'example_report',
  'example_report_2',
] as const;

export type MutationKind = 'immediate' | 'register' | 'drop' | 'duplicate' | 'replace';
export const MUTATION_KINDS: readonly MutationKind[] = ['immediate', 'register', 'drop', 'duplicate', 'replace'];

export interface MutationRates {
  /** Probability that a function is mutated at all (0: every function an exact copy). */
  functions: number;
  /** In a mutated function, probability that each block is mutated (at least one is). */
  blocks: number;
  /** Relative weights of the kinds of block mutation (missing: 0). */
  kinds: Partial<Record<MutationKind, number>>;
}

/** Most functions changed somewhere, a tenth exact copies; a mix of light and heavy block changes. */
export const DEFAULT_MUTATIONS: MutationRates = {
  functions: 0.9,
  blocks: 0.3,
  kinds: { immediate: 3, register: 2, drop: 1, duplicate: 1, replace: 3 },
};

export interface CorpusOptions {
  /** Seeds every draw; the same seed and options give the same corpus. */
  seed: number;
  /** Number of reports. */
  reports: number;
  /** Functions per report, uniform in [min, max]. Default [100, 600] (MCRIT's 31-report set averages 325). */
  functionsPerReport?: readonly [number, number];
  mutations?: MutationRates;
  /** Number of family names (`family_00`...) reports are spread over at random; 0 = the unnamed family. Default 20. */
  families?: number;
  /** How a report's template is chosen: in proportion to the templates' function counts (default), or uniformly. */
  templateWeights?: 'functions' | 'uniform';
  /** Index of the first report (for a corpus generated in parts). Default 0. */
  firstIndex?: number;
}

export interface AppliedMutation {
  /** Start of the mutated block, in the synthetic report. */
  block: number;
  /** The kind applied (after the fallbacks described above). */
  kind: MutationKind;
}

export interface SyntheticFunction {
  /** Offset in the synthetic report. */
  offset: number;
  source: { template: string; offset: number };
  /** Empty for an exact copy. */
  mutations: AppliedMutation[];
}

export interface SyntheticReport {
  index: number;
  sha256: string;
  template: string;
  architecture: string;
  family: string;
  filename: string;
  /** The report as JSON text (64-bit integers exact), what `POST /samples` takes. */
  text: string;
  functions: SyntheticFunction[];
  numBlocks: number;
  numInstructions: number;
}

// ---------------------------------------------------------------------------------------------
// templates

type Json = unknown;
type JsonObject = Record<string, Json>;
/** `[offset, bytes, mnemonic, operands]` as in the report. */
type RawInstruction = [number, string, string, string];

interface TemplateFunction {
  offset: number;
  raw: JsonObject;
  /** Blocks by ascending start. */
  blocks: { start: number; instructions: RawInstruction[] }[];
  /** Lowest and highest (exclusive) code address of the function. */
  low: number;
  high: number;
}

export interface Template {
  name: string;
  architecture: SmdaReport['architecture'];
  /** The template's top level, `xcfg` removed. */
  top: JsonObject;
  report: Pick<SmdaReport, 'architecture' | 'baseAddr' | 'binarySize' | 'bitness' | 'storedPicHashesAreCurrent'>;
  functions: TemplateFunction[];
  /** Every instruction of the template (what `replace` draws from). */
  instructionPool: RawInstruction[];
  /** Lowest code address over the template's functions: where the layout starts. */
  codeStart: number;
  /** Alignment of relocated functions. */
  alignment: number;
  escaper: InstructionEscaper;
  image: ImageBounds;
}

/** An address of the template: a safe integer (the fixtures have no address beyond 2^53). */
function address(value: Json, where: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const big = integerFromToken(value);
  if (big !== undefined && big <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(big);
  throw new Error(`synthetic corpus: ${where} is not an address below 2^53 (${String(value)})`);
}

function keyAddress(key: string, where: string): number {
  return address(Number(key), where);
}

export function loadTemplate(name: string, dir = FIXTURES_DIR): Template {
  const text = readFileSync(join(dir, `${name}.smda`), 'utf8');
  const report = parseSmdaReport(text);
  const raw = parseJsonWithIntegerTokens(text) as JsonObject;
  const { xcfg, ...top } = raw;
  const functions = Object.entries(xcfg as Record<string, JsonObject>)
    .map(([key, fn]): TemplateFunction => {
      const offset = keyAddress(key, `${name} xcfg key`);
      const blocks = Object.entries(fn['blocks'] as Record<string, Json[]>)
        .map(([start, instructions]) => ({
          start: keyAddress(start, `${name} block`),
          instructions: instructions.map((ins) => {
            const [at, bytes, mnemonic, operands] = ins as [Json, string, string, string];
            return [address(at, `${name} instruction`), bytes, mnemonic, operands] as RawInstruction;
          }),
        }))
        .sort((a, b) => a.start - b.start);
      let low = offset;
      let high = offset + 1;
      for (const block of blocks) {
        low = Math.min(low, block.start);
        for (const [at, bytes] of block.instructions) {
          low = Math.min(low, at);
          high = Math.max(high, at + bytes.length / 2);
        }
      }
      return { offset, raw: fn, blocks, low, high };
    })
    .sort((a, b) => a.offset - b.offset);
  return {
    name,
    architecture: report.architecture,
    top,
    report,
    functions,
    instructionPool: functions.flatMap((fn) => fn.blocks.flatMap((block) => block.instructions)),
    codeStart: Math.min(...functions.map((fn) => fn.low)),
    alignment: report.architecture === 'intel' ? 16 : 4,
    escaper: escaperFor(report.architecture),
    image: imageBounds(report),
  };
}

/** The distinct fixture reports (or the named ones) as templates. */
export function loadTemplates(names: readonly string[] = DISTINCT_FIXTURES, dir = FIXTURES_DIR): Template[] {
  return names.map((name) => loadTemplate(name, dir));
}

// ---------------------------------------------------------------------------------------------
// randomness

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a text (first 4 bytes of its sha256). */
function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

class Draws {
  constructor(readonly random: () => number) {}
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.random() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}

// ---------------------------------------------------------------------------------------------
// mutations

const REGISTERS: Record<SmdaReport['architecture'], { pattern: RegExp; alternatives: (found: string) => string[] }> = {
  intel: {
    pattern: /\b(?:e[abcd]x|e[sd]i|r[abcd]x|r[sd]i|r(?:8|9|1[0-5]))\b/g,
    alternatives: (found) =>
      (found.startsWith('e') ? ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi'] : ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11']).filter(
        (r) => r !== found,
      ),
  },
  aarch64: {
    pattern: /\b[xw](?:[0-9]|1[0-9]|2[0-8])\b/g,
    alternatives: (found) => Array.from({ length: 29 }, (_, i) => `${found[0]}${i}`).filter((r) => r !== found),
  },
  cil: { pattern: /(?!)/g, alternatives: () => [] },
};

const LITERAL = /(0x[0-9a-fA-F]+|\b\d+\b)/g;

/** The bytes with byte `at` XORed with a non-zero value (`mask` limits the bits touched). */
function flipByte(bytes: string, at: number, draws: Draws, mask = 0xff): string {
  const old = parseInt(bytes.slice(at * 2, at * 2 + 2), 16);
  const flipped = (old ^ (1 + draws.int(mask))) & 0xff;
  return bytes.slice(0, at * 2) + flipped.toString(16).padStart(2, '0') + bytes.slice(at * 2 + 2);
}

function escapedBinary(template: Template, ins: RawInstruction): string {
  return template.escaper.escapedBinary({ offset: BigInt(ins[0]), bytes: ins[1], mnemonic: ins[2], operands: ins[3] }, template.image);
}

/**
 * New bytes for `ins` with one byte changed so that its escaped binary (what PicHash hashes)
 * changes: the `preferred` byte first, then the others in random order. Undefined if no single-byte
 * change shows through the escaping (every byte wildcarded).
 */
function visibleByteChange(template: Template, ins: RawInstruction, preferred: number, draws: Draws, mask: number): string | undefined {
  const size = ins[1].length / 2;
  const before = escapedBinary(template, ins);
  const order = [Math.min(Math.max(0, preferred), size - 1), ...draws.shuffled(Array.from({ length: size }, (_, i) => i))];
  for (const at of order) {
    for (const m of [mask, 0xff]) {
      const bytes = flipByte(ins[1], at, draws, m);
      if (escapedBinary(template, [ins[0], bytes, ins[2], ins[3]]) !== before) return bytes;
    }
  }
  return undefined;
}

/** Index of the byte an immediate / register change touches first, per architecture. */
function immediateByte(architecture: SmdaReport['architecture'], bytes: string): number {
  return architecture === 'aarch64' ? 1 : bytes.length / 2 - 1;
}
function registerByte(architecture: SmdaReport['architecture'], bytes: string): number {
  return architecture === 'aarch64' ? 0 : bytes.length >= 4 ? 1 : 0;
}

const HAS_LITERAL = /(0x[0-9a-fA-F]+|\b\d+\b)/;

/** `immediate`: instructions with a literal first, then the others; the first whose bytes can change visibly. */
function mutateImmediate(template: Template, instructions: RawInstruction[], draws: Draws): void {
  const indexes = instructions.map((_, i) => i);
  const withLiteral = draws.shuffled(indexes.filter((i) => HAS_LITERAL.test(instructions[i]![3])));
  const without = draws.shuffled(indexes.filter((i) => !HAS_LITERAL.test(instructions[i]![3])));
  for (const index of [...withLiteral, ...without]) {
    const ins = instructions[index]!;
    const bytes = visibleByteChange(template, ins, immediateByte(template.architecture, ins[1]), draws, 0xff);
    if (bytes === undefined) continue;
    let operands = ins[3];
    const matches = [...operands.matchAll(LITERAL)];
    if (matches.length > 0) {
      const match = draws.pick(matches);
      const hex = match[0].startsWith('0x');
      const value = hex ? parseInt(match[0], 16) : Number(match[0]);
      const changed = (value ^ (1 + draws.int(255))) >>> 0;
      operands = operands.slice(0, match.index) + (hex ? `0x${changed.toString(16)}` : String(changed)) + operands.slice(match.index! + match[0].length);
    }
    instructions[index] = [ins[0], bytes, ins[2], operands];
    return;
  }
  // Every byte of the block wildcarded: change the operand text of one instruction only.
  const index = draws.int(instructions.length);
  const ins = instructions[index]!;
  instructions[index] = [ins[0], flipByte(ins[1], 0, draws), ins[2], ins[3]];
}

/** Applies one mutation of `kind` to a block's instructions (in place); returns the kind applied. */
function mutateBlock(template: Template, instructions: RawInstruction[], kind: MutationKind, draws: Draws): MutationKind {
  const n = instructions.length;
  switch (kind) {
    case 'immediate':
      mutateImmediate(template, instructions, draws);
      return 'immediate';
    case 'register': {
      const registers = REGISTERS[template.architecture];
      const candidates = instructions.map((ins, i) => [ins, i] as const).filter(([ins]) => new RegExp(registers.pattern).test(ins[3]));
      if (candidates.length === 0) return mutateBlock(template, instructions, 'immediate', draws);
      for (const [ins, i] of draws.shuffled(candidates)) {
        const bytes = visibleByteChange(template, ins, registerByte(template.architecture, ins[1]), draws, 7);
        if (bytes === undefined) continue;
        const match = draws.pick([...ins[3].matchAll(new RegExp(registers.pattern))]);
        const replacement = draws.pick(registers.alternatives(match[0]));
        instructions[i] = [ins[0], bytes, ins[2], ins[3].slice(0, match.index) + replacement + ins[3].slice(match.index! + match[0].length)];
        return 'register';
      }
      return mutateBlock(template, instructions, 'immediate', draws);
    }
    case 'drop':
      if (n < 2) return mutateBlock(template, instructions, 'duplicate', draws);
      instructions.splice(draws.int(n - 1), 1);
      return 'drop';
    case 'duplicate': {
      const i = n < 2 ? 0 : draws.int(n - 1);
      instructions.splice(i + 1, 0, [...instructions[i]!]);
      return 'duplicate';
    }
    case 'replace':
      if (n < 2) return mutateBlock(template, instructions, 'immediate', draws);
      for (let i = 0; i < n - 1; i++) instructions[i] = [...draws.pick(template.instructionPool)];
      return 'replace';
  }
}

// ---------------------------------------------------------------------------------------------
// reports

const shift = (value: Json, delta: number, where: string): number => address(value, where) + delta;

function shiftKeys<T>(object: Json, delta: number, mapValue: (value: T) => T = (v) => v, where = 'reference'): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries((object ?? {}) as Record<string, T>)) out[String(keyAddress(key, where) + delta)] = mapValue(value);
  return out;
}

function shiftNested(value: Json, delta: number): Json {
  if (Array.isArray(value)) return value.map((item) => shiftNested(item, delta));
  return shift(value, delta, 'strongly connected component');
}

function hex(text: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${text}/${i}`).digest('hex');
  return out.slice(0, length);
}

interface Placed {
  source: TemplateFunction;
  delta: number;
  blocks: { start: number; instructions: RawInstruction[] }[];
  /** old instruction offset → new one, for the mutated blocks (undefined: dropped). */
  moved: Map<number, number | undefined>;
  mutations: AppliedMutation[];
  bytesDelta: number;
}

/** Report `index` of the corpus: deterministic for (seed, index, options). */
export function syntheticReport(templates: readonly Template[], options: CorpusOptions, index: number): SyntheticReport {
  const draws = new Draws(seededRandom(seedOf(`mcrit-ts synthetic corpus/${options.seed}/${index}`)));
  const [minFunctions, maxFunctions] = options.functionsPerReport ?? [100, 600];
  const mutations = options.mutations ?? DEFAULT_MUTATIONS;
  const kinds = MUTATION_KINDS.filter((kind) => (mutations.kinds[kind] ?? 0) > 0);
  const kindWeights = kinds.map((kind) => mutations.kinds[kind]!);
  const weights = templates.map((t) => ((options.templateWeights ?? 'functions') === 'functions' ? t.functions.length : 1));
  const template = draws.weighted(templates, weights);
  const count = draws.between(minFunctions, maxFunctions);

  // Which functions, in layout order.
  const chosen: TemplateFunction[] = [];
  while (chosen.length < count) chosen.push(...draws.shuffled(template.functions).slice(0, count - chosen.length));

  // Layout, mutations.
  let cursor = template.codeStart;
  const placed: Placed[] = chosen.map((source) => {
    const gap = draws.int(4) === 0 ? draws.int(64) : 0;
    const low = Math.ceil((cursor + gap) / template.alignment) * template.alignment;
    const delta = low - source.low;
    const mutated = mutations.functions > 0 && draws.chance(mutations.functions) && kinds.length > 0;
    const blockChosen = source.blocks.map(() => mutated && draws.chance(mutations.blocks));
    if (mutated && !blockChosen.includes(true)) blockChosen[draws.int(source.blocks.length)] = true;
    const applied: AppliedMutation[] = [];
    const moved = new Map<number, number | undefined>();
    let bytesDelta = 0;
    const blocks = source.blocks.map((block, b) => {
      if (!blockChosen[b]) return { start: block.start + delta, instructions: block.instructions.map(([at, ...rest]) => [at + delta, ...rest] as RawInstruction) };
      const instructions = block.instructions.map((ins) => [...ins] as RawInstruction);
      const before = instructions.reduce((n, ins) => n + ins[1].length / 2, 0);
      const kind = mutateBlock(template, instructions, draws.weighted(kinds, kindWeights), draws);
      // Offsets recounted from the block start; references of the instructions kept follow them.
      let at = block.start + delta;
      const originals = new Set(block.instructions.map((ins) => ins[0]));
      for (const ins of block.instructions) moved.set(ins[0], undefined);
      for (const ins of instructions) {
        if (originals.has(ins[0]) && moved.get(ins[0]) === undefined) moved.set(ins[0], at);
        ins[0] = at;
        at += ins[1].length / 2;
      }
      bytesDelta += at - (block.start + delta) - before;
      applied.push({ block: block.start + delta, kind });
      return { start: block.start + delta, instructions };
    });
    const high = Math.max(source.high + delta, ...blocks.map((block) => block.instructions.reduce((end, ins) => Math.max(end, ins[0] + ins[1].length / 2), 0)));
    cursor = high;
    return { source, delta, blocks, moved, mutations: applied, bytesDelta };
  });

  // Calls between functions of this report point to the first copy of their target.
  const firstCopy = new Map<number, number>();
  for (const p of placed) if (!firstCopy.has(p.source.offset)) firstCopy.set(p.source.offset, p.source.offset + p.delta);
  const inrefs = new Map<number, number[]>();
  const newAddress = (p: Placed, old: number): number | undefined => (p.moved.has(old) ? p.moved.get(old) : old + p.delta);

  const current = template.report.storedPicHashesAreCurrent;
  let numBlocks = 0;
  let numInstructions = 0;
  let numApiCalls = 0;
  let numFunctionCalls = 0;
  let numLeafFunctions = 0;
  let binweight = 0;
  const xcfg: Record<string, JsonObject> = {};
  const functionObjects: [Placed, JsonObject][] = placed.map((p) => {
    const raw = p.source.raw;
    const offset = p.source.offset + p.delta;
    const remap = <T>(refs: Json): Record<string, T> => {
      const out: Record<string, T> = {};
      for (const [key, value] of Object.entries((refs ?? {}) as Record<string, T>)) {
        const moved = newAddress(p, keyAddress(key, 'reference'));
        if (moved !== undefined) out[String(moved)] = value;
      }
      return out;
    };
    const outrefs: Record<string, number[]> = {};
    for (const [key, targets] of Object.entries(remap<Json[]>(raw['outrefs']))) {
      outrefs[key] = targets.map((target) => {
        const old = address(target, 'outref');
        const mapped = firstCopy.get(old);
        if (mapped !== undefined) {
          const list = inrefs.get(mapped) ?? [];
          list.push(Number(key));
          inrefs.set(mapped, list);
          return mapped;
        }
        return old;
      });
    }
    const apirefs = remap<Json>(raw['apirefs']);
    const metadata = { ...(raw['metadata'] as JsonObject) };
    metadata['binweight'] = (metadata['binweight'] as number) + p.bytesDelta;
    const components = metadata['strongly_connected_components'];
    if (components !== null && components !== undefined) metadata['strongly_connected_components'] = shiftNested(components, p.delta);
    const fn: JsonObject = {
      ...raw,
      apirefs,
      blockrefs: shiftKeys<Json[]>(raw['blockrefs'], p.delta, (targets) => targets.map((t) => shift(t, p.delta, 'blockref'))),
      blocks: Object.fromEntries(p.blocks.map((block) => [String(block.start), block.instructions])),
      inrefs: [] as number[],
      metadata,
      offset,
      outrefs,
    };
    if (raw['stringrefs'] !== undefined && raw['stringrefs'] !== null && typeof raw['stringrefs'] === 'object' && !Array.isArray(raw['stringrefs'])) {
      fn['stringrefs'] = remap<Json>(raw['stringrefs']);
    }
    numBlocks += p.blocks.length;
    for (const block of p.blocks) numInstructions += block.instructions.length;
    numApiCalls += Object.keys(apirefs).length;
    const calls = Object.values(outrefs).reduce((n, targets) => n + targets.length, 0);
    numFunctionCalls += calls;
    if (calls === 0) numLeafFunctions++;
    binweight += metadata['binweight'] as number;
    return [p, fn];
  });
  const functions: SyntheticFunction[] = [];
  for (const [p, fn] of functionObjects) {
    const offset = fn['offset'] as number;
    fn['inrefs'] = (inrefs.get(offset) ?? []).sort((a, b) => a - b);
    if (current && p.mutations.length > 0) {
      const parsed = parseSmdaFunction(fn, `synthetic.xcfg.${offset}`, true);
      (fn['metadata'] as JsonObject)['pic_hash'] = integerToken(picHash(parsed, template.escaper, template.image));
    }
    xcfg[String(offset)] = fn;
    functions.push({ offset, source: { template: template.name, offset: p.source.offset }, mutations: p.mutations });
  }

  const sha256 = hex(`mcrit-ts synthetic corpus/${options.seed}/${index}/sha256`, 64);
  const familyCount = options.families ?? 20;
  const family = familyCount === 0 ? '' : `family_${String(draws.int(familyCount)).padStart(2, '0')}`;
  const filename = `synthetic_${options.seed}_${String(index).padStart(6, '0')}.bin`;
  const top: JsonObject = { ...template.top };
  top['sha256'] = sha256;
  if ('sha1' in top) top['sha1'] = hex(`mcrit-ts synthetic corpus/${options.seed}/${index}/sha1`, 40);
  if ('md5' in top) top['md5'] = hex(`mcrit-ts synthetic corpus/${options.seed}/${index}/md5`, 32);
  const minute = index % (60 * 24 * 365);
  const date = new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString().slice(0, 19).replaceAll(':', '-');
  top['timestamp'] = date;
  top['metadata'] = { ...((top['metadata'] ?? {}) as JsonObject), binweight, family, filename, version: '', is_library: false };
  const statistics: JsonObject = {
    num_api_calls: numApiCalls,
    num_basic_blocks: numBlocks,
    num_failed_functions: 0,
    num_failed_instructions: 0,
    num_function_calls: numFunctionCalls,
    num_functions: placed.length,
    num_instructions: numInstructions,
    num_leaf_functions: numLeafFunctions,
    num_recursive_functions: 0,
  };
  if ('num_thunk_functions' in ((template.top['statistics'] ?? {}) as JsonObject)) statistics['num_thunk_functions'] = 0;
  top['statistics'] = statistics;
  top['xcfg'] = xcfg;
  return {
    index,
    sha256,
    template: template.name,
    architecture: template.architecture,
    family,
    filename,
    text: stringifyWithIntegerTokens(top),
    functions,
    numBlocks,
    numInstructions,
  };
}

/** The corpus, one report at a time (reports are generated lazily: a large corpus never sits in memory). */
export function* syntheticReports(templates: readonly Template[], options: CorpusOptions): Generator<SyntheticReport> {
  const first = options.firstIndex ?? 0;
  for (let i = first; i < first + options.reports; i++) yield syntheticReport(templates, options, i);
}

/** Whether a function of the manifest is an exact copy of its source (same PicHash, PicBlockHashes, MinHash). */
export function isExactCopy(fn: SyntheticFunction): boolean {
  return fn.mutations.length === 0;
}
