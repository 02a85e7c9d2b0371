import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionGraph } from '../../src/disassembly/cfg.js';
import { BlockPredecessors, type RegisterSource } from '../../src/disassembly/register-calls.js';
import type { Instruction } from '../../src/disassembly/types.js';
import { baseMnemonic } from '../../src/disassembly/operands.js';

/** Instructions as Capstone prints them, laid out from `at` with the given sizes. */
function code(at: number, lines: [size: number, text: string][]): Instruction[] {
  return lines.map(([size, text]) => {
    const space = text.indexOf(' ');
    const mnemonic = space < 0 ? text : text.slice(0, space);
    const instruction = { address: at, size, mnemonic, base: baseMnemonic(mnemonic), operands: space < 0 ? '' : text.slice(space + 1) };
    at += size;
    return instruction;
  });
}

/** A `mov reg, 0xIMM` gives the value; anything else here is unknown. */
const immediateSource: RegisterSource = (_ins, source) => (/^0x[0-9a-f]+$/.test(source) ? { value: parseInt(source, 16) } : undefined);

/**
 *   0x1000: mov esi, 0x401500; test ecx, ecx; je 0x1010       (block A)
 *   0x100a: add edx, 3; nop; nop; nop                         (block B, falls through)
 *   0x1010: mov eax, esi; call eax                            (block C: preds A by je, B by fall-through)
 */
function graphWithPredecessors(): { graph: FunctionGraph; refs: Map<number, number[]>; call: Instruction } {
  const a = code(0x1000, [[5, 'mov esi, 0x401500'], [2, 'test ecx, ecx'], [3, 'je 0x1010']]);
  const b = code(0x100a, [[3, 'add edx, 3'], [1, 'nop'], [1, 'nop'], [1, 'nop']]);
  const c = code(0x1010, [[2, 'mov eax, esi'], [2, 'call eax']]);
  const graph: FunctionGraph = {
    blocks: [
      { start: 0x1000, instructions: a },
      { start: 0x100a, instructions: b },
      { start: 0x1010, instructions: c },
    ],
    blockRefs: new Map([[0x1000, [0x100a, 0x1010]], [0x100a, [0x1010]], [0x1010, []]]),
  };
  const refs = new Map<number, number[]>();
  for (const ins of [...a, ...b, ...c]) if (ins.base !== 'je' && ins.base !== 'call') refs.set(ins.address, [ins.address + ins.size]);
  refs.set(0x1007, [0x1010, 0x100a]);
  return { graph, refs, call: c[1]! };
}

test('a register call is resolved through its predecessor blocks, following mov between registers', () => {
  const { graph, refs, call } = graphWithPredecessors();
  assert.deepEqual(new BlockPredecessors(graph, refs).resolve(call, immediateSource), { value: 0x401500 });
});

test('a register call whose value is set in its own block is resolved there; an unknown source stops the search', () => {
  const own = code(0x2000, [[5, 'mov esi, 0x401500'], [5, 'mov eax, 0x402000'], [2, 'call eax']]);
  const graph: FunctionGraph = { blocks: [{ start: 0x2000, instructions: own }], blockRefs: new Map([[0x2000, []]]) };
  assert.deepEqual(new BlockPredecessors(graph, new Map()).resolve(own[2]!, immediateSource), { value: 0x402000 });
  const unknown = code(0x3000, [[5, 'mov eax, 0x402000'], [3, 'mov eax, dword ptr [ebp - 8]'], [2, 'call eax']]);
  const graph2: FunctionGraph = { blocks: [{ start: 0x3000, instructions: unknown }], blockRefs: new Map([[0x3000, []]]) };
  assert.deepEqual(new BlockPredecessors(graph2, new Map()).resolve(unknown[2]!, immediateSource), {}, 'the nearest write decides, even if unknown');
});

test('predecessors are followed at most 4 levels up, and loops end', () => {
  // A chain of 6 blocks, each falling through to the next; the value is set in the first.
  const blocks = Array.from({ length: 6 }, (_, i) => code(0x4000 + i * 0x10, i === 0 ? [[5, 'mov ebx, 0x401500'], [11, 'nop']] : [[16, 'nop']]));
  const call = code(0x4060, [[2, 'call ebx']])[0]!;
  const last = { start: 0x4060, instructions: [call] };
  const graph: FunctionGraph = {
    blocks: [...blocks.map((instructions, i) => ({ start: 0x4000 + i * 0x10, instructions })), last],
    blockRefs: new Map(),
  };
  const chain = (firstBlock: number) => {
    const refs = new Map<number, number[]>();
    for (let i = firstBlock; i < 6; i++) {
      const end = graph.blocks[i]!.instructions.at(-1)!;
      refs.set(end.address, [end.address + end.size]);
    }
    return refs;
  };
  // Block 5 is 1 level up from the call's block, block 2 is 4 levels up, block 1 is 5.
  const fromBlock = (first: number, valueIn: number) => {
    const g: FunctionGraph = { ...graph, blocks: graph.blocks.map((b, i) => (i === valueIn ? { ...b, instructions: code(b.start, [[5, 'mov ebx, 0x401500'], [11, 'nop']]) } : i < 6 ? { ...b, instructions: code(b.start, [[16, 'nop']]) } : b)) };
    return new BlockPredecessors(g, chain(first)).resolve(call, immediateSource);
  };
  assert.deepEqual(fromBlock(0, 2), { value: 0x401500 }, '4 levels up');
  assert.equal(fromBlock(0, 1), undefined, '5 levels up is too far');
  // A loop: the call's block is its own predecessor's predecessor.
  const loopRefs = new Map([[0x4060, [0x4050]], [0x405f, [0x4060]]]);
  const looped = { ...graph, blocks: graph.blocks.map((b, i) => (i < 6 ? { ...b, instructions: code(b.start, [[16, 'nop']]) } : b)) };
  assert.equal(new BlockPredecessors(looped, loopRefs).resolve(call, immediateSource), undefined);
});
