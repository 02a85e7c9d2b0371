/**
 * MCRIT's EscapedBlockShingler (reference 4.6): per block, in block order, every window of three
 * consecutive escaped instructions, sorted and joined with `;`; a block of at most three instructions
 * gives one shingle of all of them.
 */
import { compareCodePoints } from './code-point-order.js';

const WINDOW = 3;

/** `a;b;c` in code point order. */
function sortedTriple(a: string, b: string, c: string): string {
  if (compareCodePoints(a, b) > 0) [a, b] = [b, a];
  if (compareCodePoints(b, c) > 0) [b, c] = [c, b];
  if (compareCodePoints(a, b) > 0) [a, b] = [b, a];
  return `${a};${b};${c}`;
}

/** `escapedBlocks`: per block, its escaped instructions (`"M REG, PTR"`) in order. */
export function escapedBlockShingles(escapedBlocks: readonly (readonly string[])[]): string[] {
  const shingles: string[] = [];
  for (const block of escapedBlocks) {
    if (block.length <= WINDOW) {
      shingles.push([...block].sort(compareCodePoints).join(';'));
      continue;
    }
    for (let i = 0; i + WINDOW <= block.length; i++) shingles.push(sortedTriple(block[i]!, block[i + 1]!, block[i + 2]!));
  }
  return shingles;
}
