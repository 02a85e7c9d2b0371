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

/**
 * Strongly connected components of the block graph (Tarjan, iterative), each sorted, in discovery
 * order. Nodes are numbered in key order and kept in typed arrays (Maps per node cost 4% of the
 * report writer on a 3 MB ELF); successors are keys of `blockRefs` (buildGraph keeps only block starts).
 */
export function stronglyConnectedComponents(blockRefs: Map<number, number[]>): number[][] {
  const nodes = [...blockRefs.keys()];
  const numberOf = new Map(nodes.map((node, i) => [node, i]));
  const successors = nodes.map((node) => blockRefs.get(node)!.map((to) => numberOf.get(to)!));
  const count = nodes.length;
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const discover = (node: number) => {
    index[node] = low[node] = counter++;
    stack.push(node);
    onStack[node] = 1;
  };
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, next: number][] = [[root, 0]];
    discover(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, position] = frame;
      const next = successors[node]![position];
      if (next !== undefined) {
        frame[1]++;
        if (index[next] === -1) {
          discover(next);
          work.push([next, 0]);
        } else if (onStack[next]) {
          low[node] = Math.min(low[node]!, index[next]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[node]!);
      if (low[node] === index[node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = 0;
          component.push(nodes[member]!);
        } while (member !== node);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}
