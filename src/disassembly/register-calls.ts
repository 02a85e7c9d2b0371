/**
 * `call <reg>` resolution (reference §3.6), once the function's blocks are built: the call's block
 * is walked backwards from the call, then, depth first, the blocks holding the sources of the
 * function's code refs into each walked block, up to 4 levels of predecessors. `mov r1, r2` with r1
 * tracked tracks r2 instead; the first `mov`/`lea` into the tracked register decides.
 */
import type { FunctionGraph } from './cfg.js';
import { GENERAL_REGISTERS } from './operands.js';
import type { Instruction } from './types.js';

const PREDECESSOR_LEVELS = 4;

/** What a `mov`/`lea` of `source` into the register gives: an import slot and/or a value; undefined: nothing known. */
export type RegisterSource = (ins: Instruction, source: string) => { slot?: number; value?: number } | undefined;

/** The blocks of a function, with the blocks whose refs lead into each one. */
export class BlockPredecessors {
  private readonly blockOf = new Map<number, number>();
  private readonly predecessors = new Map<number, number[]>();

  constructor(
    readonly graph: FunctionGraph,
    refs: ReadonlyMap<number, readonly number[]>,
  ) {
    graph.blocks.forEach((block, index) => {
      for (const ins of block.instructions) this.blockOf.set(ins.address, index);
    });
    const starts = new Map(graph.blocks.map((block, index) => [block.start, index]));
    for (const [from, targets] of refs) {
      const source = this.blockOf.get(from);
      if (source === undefined) continue;
      for (const to of targets) {
        const target = starts.get(to);
        if (target === undefined) continue;
        const list = this.predecessors.get(target);
        if (!list) this.predecessors.set(target, [source]);
        else if (!list.includes(source)) list.push(source);
      }
    }
    for (const list of this.predecessors.values()) list.sort((a, b) => a - b);
  }

  /** Where `call` gets its target from, if a `mov`/`lea` before it says. */
  resolve(call: Instruction, sourceOf: RegisterSource): { slot?: number; value?: number } | undefined {
    const block = this.blockOf.get(call.address);
    if (block === undefined) return undefined;
    const before = this.graph.blocks[block]!.instructions.findIndex((ins) => ins.address === call.address);
    return this.walk(block, before, call.operands, 0, new Set(), sourceOf);
  }

  private walk(
    block: number,
    end: number,
    tracked: string,
    level: number,
    visited: Set<string>,
    sourceOf: RegisterSource,
  ): { slot?: number; value?: number } | undefined {
    const key = `${block}:${tracked}`;
    if (visited.has(key)) return undefined;
    visited.add(key);
    let register = tracked;
    const instructions = this.graph.blocks[block]!.instructions;
    for (let i = end - 1; i >= 0; i--) {
      const ins = instructions[i]!;
      if (ins.mnemonic !== 'mov' && ins.mnemonic !== 'lea') continue;
      const comma = ins.operands.indexOf(', ');
      if (ins.operands.slice(0, comma) !== register) continue;
      const source = ins.operands.slice(comma + 2);
      if (ins.mnemonic === 'mov' && GENERAL_REGISTERS.has(source)) {
        register = source;
        continue;
      }
      return sourceOf(ins, source) ?? {};
    }
    if (level >= PREDECESSOR_LEVELS) return undefined;
    for (const predecessor of this.predecessors.get(block) ?? []) {
      const found = this.walk(predecessor, this.graph.blocks[predecessor]!.instructions.length, register, level + 1, visited, sourceOf);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
