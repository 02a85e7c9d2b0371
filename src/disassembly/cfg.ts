/**
 * Basic blocks and the control-flow graph of an analysed function (reference §3.8): blocks are
 * rebuilt from the booked instructions in address order with SMDA's splitting rules, so calls never
 * split a block and an unresolved `jmp reg` does not end one by itself.
 */
import type { FunctionAnalysis } from './function-analysis.js';
import type { Instruction } from './types.js';

const BLOCK_ENDING = new Set(['ret', 'retn', 'retf', 'iret', 'int3', 'hlt']);

export interface BasicBlock {
  start: number;
  instructions: Instruction[];
}

export interface FunctionGraph {
  /** Ascending by start. */
  blocks: BasicBlock[];
  /** Block start → successor block starts (sorted); every block is a key. */
  blockRefs: Map<number, number[]>;
}

export function buildGraph(fn: FunctionAnalysis): FunctionGraph {
  const list = [...fn.instructions.values()].sort((a, b) => a.address - b.address);
  const inbound = new Map<number, number>();
  for (const targets of fn.refs.values()) for (const to of targets) inbound.set(to, (inbound.get(to) ?? 0) + 1);
  const isPotentialStart = new Set([fn.start, ...fn.jumpTargets].filter((a) => fn.instructions.has(a)));
  const potentialStarts = [...isPotentialStart].sort((a, b) => a - b);

  const endsAfter = (i: number): boolean => {
    const ins = list[i]!;
    const next = list[i + 1];
    const targets = fn.refs.get(ins.address);
    const m = ins.base;
    if (m !== 'call' && next && targets) {
      for (const target of targets) if (target !== next.address) return true;
    }
    const fallThrough = ins.address + ins.size;
    if (targets?.includes(fallThrough) && fn.collisions.has(fallThrough)) {
      fn.removeRef(ins.address, fallThrough);
      return true;
    }
    const nextInbound = next ? (inbound.get(next.address) ?? 0) : 0;
    if (next && nextInbound > 0 && (nextInbound > 1 || isPotentialStart.has(next.address))) return true;
    return BLOCK_ENDING.has(m);
  };

  let first = 0; // list and starts are both ascending: one walk finds every start's index
  const blocks: BasicBlock[] = potentialStarts.map((start) => {
    while (list[first]!.address !== start) first++;
    const instructions: Instruction[] = [];
    for (let i = first; i < list.length; i++) {
      instructions.push(list[i]!);
      if (endsAfter(i)) break;
    }
    return { start, instructions };
  });
  const blockStarts = new Set(potentialStarts);
  const blockRefs = new Map<number, number[]>();
  for (const block of blocks) {
    const last = block.instructions[block.instructions.length - 1]!;
    const successors = (fn.refs.get(last.address) ?? []).filter((t) => blockStarts.has(t)).sort((a, b) => a - b);
    blockRefs.set(block.start, successors);
  }
  return { blocks, blockRefs };
}

/** Strongly connected components of the block graph (Tarjan, iterative), each sorted, in discovery order. */
export function stronglyConnectedComponents(blockRefs: Map<number, number[]>): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (const root of blockRefs.keys()) {
    if (index.has(root)) continue;
    const work: [node: number, next: number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, position] = frame;
      const successors = blockRefs.get(node) ?? [];
      if (position < successors.length) {
        frame[1]++;
        const next = successors[position]!;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push([next, 0]);
        } else if (onStack.has(next)) {
          low.set(node, Math.min(low.get(node)!, index.get(next)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === index.get(node)) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}
