/**
 * Recursive analysis of one function candidate (reference §3.1–3.7): blocks are followed from the
 * start with SMDA's per-instruction rules, instructions are booked unless another function owns
 * them, and the outcome says whether the function is accepted.
 */
import type { AnalysisImage } from './analysis-image.js';
import type { CandidateSet } from './candidates.js';
import type { ImageDecoder } from './decoder.js';
import type { FunctionGraph } from './cfg.js';
import { jumpTableTargets } from './jump-tables.js';
import { BlockPredecessors } from './register-calls.js';
import { absoluteSlot, GENERAL_REGISTERS, immediate, ripSlot } from './operands.js';
import type { Instruction } from './types.js';
import { COMMON_PROLOGUE_SCORE, isGapSequence, isHotPatchPrologue, prologueScore } from './x86-patterns.js';

const CONDITIONAL_JUMPS = new Set(['je', 'jne', 'js', 'jns', 'jp', 'jnp', 'jo', 'jno', 'jl', 'jle', 'jg', 'jge', 'jb', 'jbe', 'ja', 'jae', 'jcxz', 'jecxz', 'jrcxz']);
const LOOPS = new Set(['loop', 'loope', 'loopne']);
const RETURNS = new Set(['ret', 'retn', 'retf', 'iret']);
const EXIT_SYSCALLS = new Set([60, 231]);
const EXIT_INT80 = new Set([1, 252]);
/** Instructions looked at below an indirect jump (SMDA backtracks 50) and how far down we search for them. */
const BACKTRACK_INSTRUCTIONS = 50;
const BACKTRACK_BYTES = 4096;

interface RuleEffect {
  nextReachable: boolean;
  endsBlock: boolean;
  /** Rule K: the block ends before this instruction, which is not booked. */
  cut: boolean;
}
const CONTINUES: RuleEffect = { nextReachable: true, endsBlock: false, cut: false };
const ENDS_WITH_FALL_THROUGH: RuleEffect = { nextReachable: true, endsBlock: true, cut: false };
const ENDS: RuleEffect = { nextReachable: false, endsBlock: true, cut: false };
const CUT: RuleEffect = { nextReachable: false, endsBlock: true, cut: true };

/** What the analysis needs of the whole disassembly. */
export interface AnalysisContext {
  image: AnalysisImage;
  decoder: ImageDecoder;
  candidates: CandidateSet;
  knownTables: ReadonlySet<number>;
  isPe: boolean;
  /** Per image byte: the serial of the analysis that last booked an instruction covering it. */
  analysisMarks: Int32Array;
  /** The function owning the instruction byte at `address`, if any. */
  ownerOf(address: number): number | undefined;
  isFunctionStart(address: number): boolean;
  /** Whether the function at `start` came from the gap pass or an after-call cut (revertible). */
  isRevertible(start: number): boolean;
  revert(start: number): void;
  /** The API an ELF PLT stub at `address` jumps to, if it is one. */
  pltImport(address: number): string | undefined;
}

/** A function's own view after analysis: booked instructions and everything it refers to. */
export class FunctionAnalysis {
  readonly instructions = new Map<number, Instruction>();
  /** Own code refs: from → distinct targets (arrays: nearly all hold one or two). */
  readonly refs = new Map<number, number[]>();
  /** Targets of refs made by jumps (jcc/jmp/loop targets, table entries, their fall-throughs): block starts. */
  readonly jumpTargets = new Set<number>();
  readonly apiRefs = new Map<number, string>();
  readonly dataRefs: [number, number, number][] = [];
  /** Addresses where this function ran into another's instruction. */
  readonly collisions = new Set<number>();
  readonly registerCalls: Instruction[] = [];
  /** Seeds of after-call cuts, queued as gap candidates once the function is registered. */
  readonly cutSeeds: number[] = [];
  isLeaf = true;
  isRecursive = false;
  isThunk = false;
  aborted = false;
  private sanelyEnding = false;
  private blockEnds = 0;
  private hasEndedBlockWithInstructions = false;
  private jumpFlag = false;
  private suspicious = 0;
  private maxBooked = -1;
  private readonly stack: number[] = [];
  private readonly popped = new Set<number>();
  private unpopped = 0;
  private readonly unpoppedCounts = new Map<number, number>();

  constructor(
    private readonly context: AnalysisContext,
    readonly start: number,
    readonly asGap: boolean,
    /** Unique per analysis: stamps this analysis' bytes in `context.analysisMarks`. */
    private readonly serial: number,
  ) {}

  /** Whether `address` lies inside an instruction this analysis booked (stamped in the shared byte marks). */
  private isOwnByte(address: number): boolean {
    return this.context.image.contains(address) && this.context.analysisMarks[address - this.context.image.baseAddr] === this.serial;
  }

  /** Analyses the function; true if it is to be registered. */
  run(): boolean {
    this.queue(this.start);
    // Each block start is popped once as new; duplicates only re-check one instruction.
    while (this.unpopped > 0 && !this.aborted) {
      const blockStart = this.stack.pop()!;
      if (!this.popped.has(blockStart)) {
        this.popped.add(blockStart);
        this.unpopped -= this.unpoppedCounts.get(blockStart) ?? 0;
        this.unpoppedCounts.delete(blockStart);
      }
      this.followBlock(blockStart);
    }
    if (this.aborted) return false;
    if (!this.asGap) return this.hasEndedBlockWithInstructions;
    return this.acceptableGapFunction();
  }

  private acceptableGapFunction(): boolean {
    if (this.sanelyEnding) return true;
    const booked = [...this.instructions.values()];
    const last = booked.reduce<Instruction | undefined>((a, b) => (a === undefined || b.address > a.address ? b : a), undefined);
    if (booked.length === 1 && last && last.base === 'jmp') {
      return this.context.image.bytes[last.address - this.context.image.baseAddr] !== 0xeb;
    }
    return this.blockEnds === 1 && last !== undefined && ['jmp', 'call'].includes(last.base);
  }

  private queue(address: number): void {
    if (this.popped.has(address)) return;
    this.stack.push(address);
    this.unpopped++;
    this.unpoppedCounts.set(address, (this.unpoppedCounts.get(address) ?? 0) + 1);
  }

  private addRef(from: number, to: number, byJump: boolean): void {
    const targets = this.refs.get(from);
    if (!targets) this.refs.set(from, [to]);
    else if (!targets.includes(to)) targets.push(to);
    if (byJump) {
      this.jumpFlag = true;
      this.jumpTargets.add(to);
    }
  }

  removeRef(from: number, to: number): void {
    const targets = this.refs.get(from);
    const at = targets?.indexOf(to) ?? -1;
    if (at >= 0) targets!.splice(at, 1);
  }

  private endBlock(): void {
    this.blockEnds++;
    if (this.instructions.size > 0) this.hasEndedBlockWithInstructions = true;
  }

  private followBlock(blockStart: number): void {
    const { image, decoder } = this.context;
    let previous: Instruction | undefined;
    const blockInstructions: Instruction[] = [];
    for (let address = blockStart; image.contains(address); ) {
      const instruction = decoder.decode(address);
      if (!instruction) return; // undecodable: the block ends without a recorded end
      if (this.isAllZero(instruction) && ++this.suspicious >= 2) {
        this.aborted = true;
        return;
      }
      const effect = this.applyRules(instruction, previous, blockInstructions);
      if (effect.cut) {
        this.endBlock();
        return;
      }
      if (!this.tryBook(instruction, effect.nextReachable)) return;
      blockInstructions.push(instruction);
      if (effect.endsBlock) {
        this.endBlock();
        return;
      }
      previous = instruction;
      address += instruction.size;
    }
  }

  private isAllZero(instruction: Instruction): boolean {
    const at = instruction.address - this.context.image.baseAddr;
    for (let i = 0; i < instruction.size; i++) if (this.context.image.bytes[at + i] !== 0) return false;
    return true;
  }

  /** Books the instruction if nobody owns it; false if the block stops here (collision, data, own bytes). */
  private tryBook(instruction: Instruction, nextReachable: boolean): boolean {
    const { context } = this;
    const address = instruction.address;
    const owner = context.ownerOf(address);
    if (owner !== undefined && owner !== this.start) {
      if (this.asGap || !context.isRevertible(owner)) {
        this.collisions.add(address);
        this.endBlock();
        return false;
      }
      context.revert(owner);
    } else if (context.image.isData(address) || this.isOwnByte(address)) {
      this.endBlock();
      return false;
    }
    this.instructions.set(address, instruction);
    const at = address - context.image.baseAddr;
    const marks = context.analysisMarks;
    // A loop, not TypedArray#fill: for an instruction's few bytes the builtin call costs more.
    for (let i = at, end = Math.min(at + instruction.size, marks.length); i < end; i++) marks[i] = this.serial;
    this.maxBooked = Math.max(this.maxBooked, address);
    if (nextReachable) this.addRef(address, address + instruction.size, this.jumpFlag);
    this.jumpFlag = false;
    return true;
  }

  private applyRules(ins: Instruction, previous: Instruction | undefined, block: Instruction[]): RuleEffect {
    const m = ins.base;
    const next = ins.address + ins.size;
    if (m === 'call' || m === 'lcall') {
      this.onCall(ins, next);
      return CONTINUES;
    }
    if (m === 'jmp' || m === 'ljmp') {
      this.onJump(ins, next);
      return ENDS;
    }
    if (LOOPS.has(m)) {
      const target = immediate(ins.operands);
      if (target !== undefined) {
        this.addRef(ins.address, target, true);
        this.queue(target);
      }
      this.queue(next);
      return ENDS_WITH_FALL_THROUGH;
    }
    if (CONDITIONAL_JUMPS.has(m)) {
      this.queue(next);
      const target = immediate(ins.operands);
      if (target !== undefined && target !== 0) {
        this.addRef(ins.address, target, true);
        if (this.context.isFunctionStart(target)) this.sanelyEnding = true;
        else if (!this.context.candidates.initialAddresses.has(target)) this.queue(target);
      }
      return ENDS_WITH_FALL_THROUGH;
    }
    if (m.startsWith('j')) return CONTINUES;
    if (RETURNS.has(m)) {
      this.onReturn(ins, previous);
      return ENDS;
    }
    if (m === 'int3' || m === 'hlt') {
      this.sanelyEnding = true;
      return ENDS;
    }
    if ((m === 'syscall' && EXIT_SYSCALLS.has(this.raxValue(block) ?? -1)) || (m === 'int' && ins.operands === '0x80' && EXIT_INT80.has(this.raxValue(block) ?? -1))) {
      this.sanelyEnding = true;
      return ENDS;
    }
    if (previous && previous.base === 'call' && ins.address !== this.start && this.cutAfterCall(ins, previous)) {
      return CUT;
    }
    return CONTINUES;
  }

  private onCall(ins: Instruction, next: number): void {
    const { image, context } = this;
    this.isLeaf = false;
    const operands = ins.operands;
    const absolute = image.bitness === 32 ? absoluteSlot(operands) : undefined;
    const rip = absolute === undefined ? ripSlot(operands, next) : undefined;
    if (absolute !== undefined) {
      const value = image.readU32(absolute);
      if (value !== undefined) {
        this.addRef(ins.address, value, false);
        this.markCallTarget(value);
        this.lookUpApi(ins.address, absolute);
      }
    } else if (rip !== undefined) {
      const value = image.readPointer(rip, 8);
      if (value !== undefined && image.contains(value)) {
        this.addRef(ins.address, value, false);
        this.markCallTarget(value);
      } else {
        this.addRef(ins.address, rip, false);
      }
      this.lookUpApi(ins.address, rip);
    } else if (GENERAL_REGISTERS.has(operands)) {
      this.registerCalls.push(ins);
    } else {
      const target = immediate(operands);
      if (target === undefined) return;
      const api = context.pltImport(target);
      if (api !== undefined) {
        this.apiRefs.set(ins.address, api);
        this.addRef(ins.address, target, false);
      } else if (image.contains(target)) {
        this.addRef(ins.address, target, false);
        this.markCallTarget(target);
      }
    }
  }

  private markCallTarget(target: number): void {
    if (target === this.start) this.isRecursive = true;
  }

  private lookUpApi(address: number, slot: number): boolean {
    const api = this.image.binary.importSlots.get(slot)?.api;
    if (api !== undefined) this.apiRefs.set(address, api);
    return api !== undefined;
  }

  private get image(): AnalysisImage {
    return this.context.image;
  }

  private onJump(ins: Instruction, next: number): void {
    const { image, context } = this;
    const operands = ins.operands;
    if (operands.includes(':')) return; // far jump
    const slot = image.bitness === 32 ? absoluteSlot(operands) : ripSlot(operands, next);
    if (slot !== undefined) {
      this.addRef(ins.address, slot, true);
      if (image.readPointer(slot) !== undefined && this.lookUpApi(ins.address, slot) && ins.address === this.start) this.isThunk = true;
      return;
    }
    const target = immediate(operands);
    if (target !== undefined) {
      this.addRef(ins.address, target, true);
      if (context.isFunctionStart(target) || context.pltImport(target) !== undefined) this.sanelyEnding = true;
      else if (!context.candidates.initialAddresses.has(target) && ins.address !== this.start) this.queue(target);
      return;
    }
    const table = jumpTableTargets(ins, this.backtrack(ins.address), image, context.knownTables);
    this.dataRefs.push(...table.dataRefs);
    for (const tableTarget of table.targets) {
      if (!image.contains(tableTarget)) continue;
      this.addRef(ins.address, tableTarget, true);
      this.queue(tableTarget);
    }
  }

  private onReturn(ins: Instruction, previous: Instruction | undefined): void {
    this.sanelyEnding = true;
    if (!previous || previous.base !== 'push') return;
    const hex = /0x[0-9a-f]+/.exec(previous.operands);
    const target = hex ? parseInt(hex[0], 16) : 0;
    if (this.image.contains(target)) {
      this.addRef(ins.address, target, true);
      this.queue(target);
    }
  }

  /** The constant moved into eax/rax within this block before a syscall, if any (SMDA's exit detection). */
  private raxValue(block: Instruction[]): number | undefined {
    for (let i = block.length - 1; i >= 0; i--) {
      const { mnemonic, operands } = block[i]!;
      const writesRax = /^(?:[re]ax|ax|al)\b/.test(operands);
      if ((mnemonic === 'mov' || mnemonic === 'movabs') && /^[re]ax, /.test(operands)) return immediate(operands.slice(5));
      if (writesRax || mnemonic.startsWith('j') || mnemonic === 'call') return undefined;
    }
    return undefined;
  }

  /**
   * Rule K: after a call, padding up to a 16-byte boundary or a known candidate ends the function
   * here (the call does not return into this code). In PE files, padding alone needs a proper
   * prologue at the seed.
   */
  private cutAfterCall(ins: Instruction, call: Instruction): boolean {
    const { image, context } = this;
    const hasAlignment = this.paddingReachesBoundary(ins.address);
    const hasCandidate = context.candidates.byAddress.has(ins.address);
    if (!hasAlignment && !hasCandidate) return false;
    const at = (address: number) => address - image.baseAddr;
    const seed = isHotPatchPrologue(image.bytes, at(ins.address)) ? ins.address : (Math.floor(call.address / 16) + 1) * 16;
    if (context.isPe && hasAlignment && !hasCandidate && prologueScore(image.bytes, at(seed), image.bitness) < COMMON_PROLOGUE_SCORE) return false;
    if (this.maxBooked > ins.address) return false;
    this.removeRef(call.address, call.address + call.size);
    this.sanelyEnding = true;
    if (hasAlignment) this.cutSeeds.push(seed);
    return true;
  }

  /** Padding instructions from `address` up to the next 16-byte boundary, within SMDA's 15-byte decode window. */
  private paddingReachesBoundary(address: number): boolean {
    const { image, context } = this;
    let run = 0;
    for (let at = address; at <= address + 15; run++) {
      if (run > 0 && at % 16 === 0) {
        const after = context.decoder.decode(at);
        return !after || !['leave', 'ret', 'retn'].includes(after.mnemonic);
      }
      const instruction = context.decoder.decode(at);
      if (!instruction || !isGapSequence(image.bytes, at - image.baseAddr, instruction.size)) return false;
      at += instruction.size;
    }
    return false;
  }

  /** Up to 50 booked instructions below `address`, nearest first. */
  private backtrack(address: number): Instruction[] {
    const found: Instruction[] = [];
    for (let at = address - 1; at >= address - BACKTRACK_BYTES && found.length < BACKTRACK_INSTRUCTIONS; at--) {
      const instruction = this.instructions.get(at);
      if (instruction) found.push(instruction);
    }
    return found;
  }

  /** Resolves each `call reg` (SMDA §3.6: its block, then up to 4 levels of predecessor blocks; register-calls.ts). */
  resolveRegisterCalls(graph: FunctionGraph, onTarget: (call: Instruction, target: number) => void): void {
    if (this.registerCalls.length === 0) return;
    const { image } = this;
    const blocks = new BlockPredecessors(graph, this.refs);
    for (const call of this.registerCalls) {
      const value = blocks.resolve(call, (ins, source) => this.registerValue(ins, source));
      if (value === undefined) continue;
      const api = (image.binary.importSlots.get(value.slot ?? -1) ?? image.binary.importSlots.get(value.value ?? -1))?.api;
      if (api !== undefined) this.apiRefs.set(call.address, api);
      else if (value.value !== undefined && image.contains(value.value)) onTarget(call, value.value);
    }
  }

  private registerValue(ins: Instruction, source: string): { slot?: number; value?: number } | undefined {
    const { image } = this;
    if (ins.mnemonic === 'mov') {
      const constant = immediate(source);
      if (constant !== undefined) return { value: constant };
      const slot = absoluteSlot(source);
      if (slot !== undefined) return { slot, value: image.readU32(slot) };
      const rip = /^qword ptr \[rip \+ 0x([0-9a-f]+)\]$/.exec(source);
      if (rip) {
        const next = ins.address + ins.size;
        const dword = image.readU32(next + parseInt(rip[1]!, 16));
        return dword === undefined ? undefined : { value: next + dword };
      }
      return undefined;
    }
    const lea = /^(?:dword ptr )?\[0x([0-9a-f]+)\]$/.exec(source);
    return lea ? { value: image.readU32(parseInt(lea[1]!, 16)) } : undefined;
  }
}
