/**
 * Byte patterns SMDA 4.4.4 uses for x86/x64 (reference §2.2, §2.3, §2.6): prologue scores, prologue
 * scan patterns and the padding sequences the gap scanner skips. Values are facts about compiler
 * output, written down from the reference.
 */
import type { Bitness } from './types.js';

const hex = (text: string) => text.replaceAll(' ', '').toLowerCase();

/** Prologue score by bytes at the candidate (longest of 5, 4, 3, 1 bytes). */
const PROLOGUE_SCORES: Record<Bitness, Map<string, number>> = {
  32: new Map([
    ['8bff558bec', 50],
    ['89ff558bec', 50],
    ['558bec', 50],
    ['55', 51],
    ['8b', 10],
    ['83', 7],
    ['53', 6],
    ['57', 5],
    ['56', 5],
    ['ff', 4],
    ['e9', 2],
    ...['b8', 'c3', 'a1', '6a', '51', '31', 'f3', '33', '81', '85', 'e8', '8d', '68', '80'].map((b): [string, number] => [b, 1]),
  ]),
  64: new Map([
    ['40534883ec', 40],
    ['40554883ec', 40],
    ['41574156', 40],
    ['48895c24', 30],
    ['55', 33],
    ['48', 21],
    ['41', 15],
    ['53', 6],
    ['ff', 3],
    ['40', 3],
    ['e9', 2],
    ...['50', '8b', '4c', 'c3', '89', 'b8', '31', '44', '0f', '83', 'f3', 'f2', '85', '33', '66', 'ba', '45', '80', 'c7', 'b0', 'bf'].map(
      (b): [string, number] => [b, 1],
    ),
  ]),
};

const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];

function startsWith(image: Uint8Array, at: number, pattern: readonly number[]): boolean {
  if (at < 0 || at + pattern.length > image.length) return false;
  for (let i = 0; i < pattern.length; i++) if (image[at + i] !== pattern[i]) return false;
  return true;
}

/** SMDA's "function start score" of the bytes at image offset `at`; a leading endbr64 is skipped in 64-bit. */
export function prologueScore(image: Uint8Array, at: number, bitness: Bitness): number {
  if (at < 0 || at >= image.length) return 0;
  if (bitness === 64 && startsWith(image, at, ENDBR64)) at += 4;
  const table = PROLOGUE_SCORES[bitness];
  for (const length of [5, 4, 3, 1]) {
    if (at + length > image.length) continue;
    const score = table.get(Buffer.from(image.subarray(at, at + length)).toString('hex'));
    if (score !== undefined) return score;
  }
  return 0;
}

/** SMDA's "has common prologue" (after-call cuts in PE files). */
export const COMMON_PROLOGUE_SCORE = 30;

/** Prologue patterns scanned for candidates, each separately, non-overlapping per pattern. */
export function prologuePatterns(bitness: Bitness): number[][] {
  const all = ['8b ff 55 8b ec', '89 ff 55 8b ec', '55 8b ec', '55 89 e5', '55 48 89 e5'];
  const x64 = ['f3 0f 1e fa', '41 57 41 56', '40 53 48 83 ec', '40 55 48 83 ec'];
  return [...all, ...(bitness === 64 ? x64 : [])].map((p) => p.split(' ').map((b) => parseInt(b, 16)));
}

/** Hot-patch prologue (`mov edi, edi; push ebp; mov ebp, esp`), kept by the gap scanner in 32-bit code. */
export function isHotPatchPrologue(image: Uint8Array, at: number): boolean {
  return startsWith(image, at, [0x8b, 0xff, 0x55, 0x8b, 0xec]) || startsWith(image, at, [0x89, 0xff, 0x55, 0x8b, 0xec]);
}

const ZEROS5 = '00 00 00 00 00';
/** Padding instruction byte sequences (SMDA's `GAP_SEQUENCES`), as hex. */
const GAP_SEQUENCE_LIST = [
  '90', 'cc', 'f4', '00',
  '66 90', '0f 0b', '8b c0', '89 c0', '8b ff', '89 ff', '8d 00', '86 c0', '66 2e', 'eb 00', '8b c9', '8b d2', '8b db', '8b f6',
  '0f 1f 00', '8d 40 00', '8d 00 00', '8d 49 00', '8d 24 24', '8d 76 00', '66 66 90',
  '0f 1f 40 00', '8d 74 26 00', '66 66 66 90', '8d 64 24 00',
  '0f 1f 44 00 00', '90 8d 74 26 00', '66 0f 1f 40 00',
  '66 0f 1f 44 00 00', '8d b6 00 00 00 00', '8d bf 00 00 00 00',
  '0f 1f 80 00 00 00 00', '8d b4 26 00 00 00 00', '8d bc 27 00 00 00 00',
  '0f 1f 84 00 00 00 00 00', '90 8d b4 26 00 00 00 00',
  '66 0f 1f 84 00 00 00 00 00', '89 f6 8d bc 27 00 00 00 00',
  `66 66 0f 1f 84 ${ZEROS5}`, '8d 76 00 8d bc 27 00 00 00 00', '66 2e 0f 1f 84 00 00 00 00 00',
  `66 66 66 0f 1f 84 ${ZEROS5}`, '8d 74 26 00 8d bc 27 00 00 00 00', `66 66 2e 0f 1f 84 ${ZEROS5}`,
  '8d b6 00 00 00 00 8d bf 00 00 00 00', `66 66 66 2e 0f 1f 84 ${ZEROS5}`,
  '8d b6 00 00 00 00 8d bc 27 00 00 00 00', `66 66 66 66 2e 0f 1f 84 ${ZEROS5}`,
  '8d b4 26 00 00 00 00 8d bc 27 00 00 00 00', `66 66 66 66 66 2e 0f 1f 84 ${ZEROS5}`,
  `66 66 66 66 66 66 2e 0f 1f 84 ${ZEROS5}`,
];

/** Gap sequences by length, longest first. */
const GAP_SEQUENCES = new Map<number, Set<string>>();
for (const sequence of GAP_SEQUENCE_LIST.map(hex)) {
  const length = sequence.length / 2;
  if (!GAP_SEQUENCES.has(length)) GAP_SEQUENCES.set(length, new Set());
  GAP_SEQUENCES.get(length)!.add(sequence);
}
const GAP_LENGTHS = [...GAP_SEQUENCES.keys()].sort((a, b) => b - a);
const GAP_FIRST_BYTES = new Set(GAP_SEQUENCE_LIST.map((sequence) => parseInt(sequence.slice(0, 2), 16)));

/** Length of the longest gap sequence at image offset `at`, or 0. */
export function gapSequenceLength(image: Uint8Array, at: number): number {
  if (!GAP_FIRST_BYTES.has(image[at]!)) return 0;
  for (const length of GAP_LENGTHS) {
    if (at + length > image.length) continue;
    if (GAP_SEQUENCES.get(length)!.has(Buffer.from(image.subarray(at, at + length)).toString('hex'))) return length;
  }
  return 0;
}

/** Whether an instruction's bytes are exactly one gap sequence. */
export function isGapSequence(image: Uint8Array, at: number, size: number): boolean {
  return at + size <= image.length && (GAP_SEQUENCES.get(size)?.has(Buffer.from(image.subarray(at, at + size)).toString('hex')) ?? false);
}

/** Bytes the gap scanner skips in runs. */
export const PADDING_BYTES = new Set([0x00, 0x90, 0xcc, 0xf4]);
