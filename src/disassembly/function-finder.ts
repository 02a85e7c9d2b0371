/**
 * Finds the functions of a loaded binary (reference §2.6): the primary pass analyses candidates by
 * score, the gap pass looks for functions in the unowned ranges left between them, then candidates
 * queued meanwhile are drained. Owns the global state: which function owns each instruction byte,
 * registration and reverts; the inbound refs of function starts are collected once at the end.
 */
import { AnalysisImage } from './analysis-image.js';
import { Candidate, CandidateSet, locateCandidates } from './candidates.js';
import { buildGraph, type FunctionGraph } from './cfg.js';
import type { ImageDecoder } from './decoder.js';
import { FunctionAnalysis, type AnalysisContext } from './function-analysis.js';
import { knownTableAddresses } from './jump-tables.js';
import { absoluteSlot, ripSlot } from './operands.js';
import type { LoadedBinary } from './types.js';
import { gapSequenceLength, isHotPatchPrologue, PADDING_BYTES } from './x86-patterns.js';

const PLT_PREAMBLE = new Set(['endbr32', 'endbr64', 'nop']);
const PADDING_WINDOW = 256;

export interface FoundFunction {
  start: number;
  analysis: FunctionAnalysis;
  graph: FunctionGraph;
  /** Null for gap functions outside every code area (SMDA creates no candidate for them). */
  candidate: Candidate | null;
}

export interface FinderOptions {
  /** Called with the fraction done, now and then. */
  progress?: (fraction: number) => void;
  /** Epoch milliseconds after which the analysis stops (status `timeout`). */
  deadline?: number;
}

export class FunctionFinder implements AnalysisContext {
  readonly image: AnalysisImage;
  readonly candidates: CandidateSet;
  readonly knownTables: ReadonlySet<number>;
  readonly isPe: boolean;
  /** Registered functions in registration order. */
  readonly functions = new Map<number, FoundFunction>();
  failedFunctions = 0;
  timedOut = false;
  /** Per image byte: 1 + index into `owners` of the function owning it, 0 for none. */
  private readonly owner: Int32Array;
  private readonly owners: number[] = [];
  private readonly ownerIds = new Map<number, number>();
  readonly analysisMarks: Int32Array;
  /** Analyses so far: the serial that stamps each analysis' bytes in `analysisMarks`. */
  private analyses = 0;
  /** Code refs to function starts from every registered function (built once the analysis is done). */
  private refsToStarts: Map<number, Set<number>> | undefined;
  private readonly pltImports = new Map<number, string | undefined>();
  /** Image offsets of the lowest and highest byte ever owned: the gap search looks between them only. */
  private ownedFrom = Infinity;
  private ownedTo = -1;

  constructor(
    binary: LoadedBinary,
    readonly decoder: ImageDecoder,
    private readonly options: FinderOptions = {},
  ) {
    this.image = new AnalysisImage(binary);
    this.candidates = new CandidateSet(this.image);
    this.knownTables = knownTableAddresses(this.image);
    this.isPe = binary.format === 'pe';
    this.owner = new Int32Array(binary.image.length);
    this.analysisMarks = new Int32Array(binary.image.length);
  }

  run(): void {
    locateCandidates(this.image, this.candidates);
    const initialCount = Math.max(1, this.candidates.byAddress.size);
    let analysed = 0;
    const drain = () => {
      for (let candidate = this.candidates.next(); candidate && !this.pastDeadline(); candidate = this.candidates.next()) {
        this.analyse(candidate.address, candidate, false);
        if (++analysed % 64 === 0) this.options.progress?.(Math.min(0.7, (0.7 * analysed) / initialCount));
      }
    };
    drain();
    this.gapPass();
    drain();
    this.options.progress?.(1);
  }

  private pastDeadline(): boolean {
    if (this.options.deadline !== undefined && Date.now() > this.options.deadline) this.timedOut = true;
    return this.timedOut;
  }

  ownerOf(address: number): number | undefined {
    const id = this.image.contains(address) ? this.owner[address - this.image.baseAddr]! : 0;
    return id === 0 ? undefined : this.owners[id - 1];
  }

  isFunctionStart(address: number): boolean {
    return this.functions.has(address);
  }

  isRevertible(start: number): boolean {
    return this.functions.get(start)?.candidate?.isGap ?? false;
  }

  /** Sources of the code refs of all functions to the function start `address`, sorted (call after `run`). */
  inRefs(address: number): number[] {
    if (!this.refsToStarts) {
      this.refsToStarts = new Map([...this.functions.keys()].map((start) => [start, new Set<number>()]));
      for (const fn of this.functions.values()) {
        for (const [from, targets] of fn.analysis.refs) for (const to of targets) this.refsToStarts.get(to)?.add(from);
      }
    }
    return [...(this.refsToStarts.get(address) ?? [])].sort((a, b) => a - b);
  }

  /** Analyses a candidate; registers it if accepted. Returns the function's end if it was registered. */
  private analyse(start: number, candidate: Candidate | null, asGap: boolean): number | undefined {
    if (this.ownerOf(start) !== undefined) {
      // collision with existing code
      this.failedFunctions++;
      if (candidate) candidate.aborted = true;
      return undefined;
    }
    const analysis = new FunctionAnalysis(this, start, asGap, ++this.analyses);
    const accepted = analysis.run();
    let end: number | undefined;
    if (accepted && analysis.instructions.size > 0) {
      end = this.register(analysis, candidate);
    } else if (!accepted) {
      this.failedFunctions++;
      if (candidate) candidate.aborted = true;
    }
    if (!analysis.aborted) this.pruneCallConflicts(analysis);
    return end;
  }

  /** Bytes inside this function's instructions cannot start calls: drop call refs from there. */
  private pruneCallConflicts(analysis: FunctionAnalysis): void {
    for (const ins of analysis.instructions.values()) {
      for (let byte = ins.address + 1; byte < ins.address + ins.size; byte++) this.candidates.dropCallSource(byte);
    }
  }

  private idOf(start: number): number {
    let id = this.ownerIds.get(start);
    if (id === undefined) {
      this.owners.push(start);
      id = this.owners.length;
      this.ownerIds.set(start, id);
    }
    return id;
  }

  private register(analysis: FunctionAnalysis, candidate: Candidate | null): number {
    const { image } = this;
    const id = this.idOf(analysis.start);
    let end = analysis.start;
    for (const ins of analysis.instructions.values()) {
      const at = ins.address - image.baseAddr;
      for (let i = at, end = Math.min(at + ins.size, this.owner.length); i < end; i++) this.owner[i] = id; // see tryBook: no fill()
      this.ownedFrom = Math.min(this.ownedFrom, at);
      this.ownedTo = Math.max(this.ownedTo, at + ins.size - 1);
      end = Math.max(end, ins.address + ins.size);
    }
    for (const [, to, size] of analysis.dataRefs) for (let i = 0; i < size; i++) image.markData(to + i);
    const graph = buildGraph(analysis);
    this.functions.set(analysis.start, { start: analysis.start, analysis, graph, candidate });
    if (candidate) candidate.finished = true;
    analysis.resolveRegisterCalls(graph, (call, target) => {
      const called = this.candidates.addCallRef(target, call.address);
      if (called && !this.isFunctionStart(target)) this.candidates.enqueue(called);
    });
    for (const seed of analysis.cutSeeds) {
      const seeded = this.candidates.ensure(seed);
      if (!seeded || this.isFunctionStart(seed)) continue;
      seeded.isGap = true;
      this.candidates.enqueue(seeded);
    }
    return end;
  }

  revert(start: number): void {
    const fn = this.functions.get(start);
    if (!fn) return;
    const id = this.idOf(start);
    for (const ins of fn.analysis.instructions.values()) {
      const at = ins.address - this.image.baseAddr;
      for (let i = at; i < Math.min(at + ins.size, this.owner.length); i++) if (this.owner[i] === id) this.owner[i] = 0;
    }
    this.functions.delete(start);
    if (fn.candidate) fn.candidate.finished = false;
  }

  pltImport(address: number): string | undefined {
    if (!this.image.isInPlt(address)) return undefined;
    if (this.pltImports.has(address)) return this.pltImports.get(address);
    let api: string | undefined;
    let at = address;
    for (let step = 0; step < 4; step++) {
      const ins = this.decoder.decode(at);
      if (!ins) break;
      const m = ins.base;
      if (PLT_PREAMBLE.has(m)) {
        at += ins.size;
        continue;
      }
      if (m === 'jmp') api = this.importOfPltJump(ins.operands, ins.address + ins.size);
      break;
    }
    this.pltImports.set(address, api);
    return api;
  }

  private importOfPltJump(operands: string, next: number): string | undefined {
    const slots = this.image.binary.importSlots;
    const slot = ripSlot(operands, next) ?? absoluteSlot(operands);
    if (slot !== undefined) return slots.get(slot)?.api;
    const ebx = /^dword ptr \[ebx ([+-]) 0x([0-9a-f]+)\]$/.exec(operands);
    if (!ebx) return undefined;
    const displacement = (ebx[1] === '+' ? 1 : -1) * parseInt(ebx[2]!, 16);
    for (const got of this.image.binary.gotBases) {
      const label = slots.get(got + displacement)?.api;
      if (label !== undefined) return label;
    }
    return undefined;
  }

  /** The unowned ranges after the primary pass, sorted by start (computed once, as SMDA does). */
  private gaps(): [number, number][] {
    const { image } = this;
    const owner = this.owner;
    let first = -1;
    let last = -1;
    const gaps: [number, number][] = [];
    for (let i = Math.max(0, this.ownedFrom); i <= Math.min(this.ownedTo, owner.length - 1); i++) {
      if (owner[i] === 0) continue;
      if (first < 0) first = i;
      else if (i - last > 1) gaps.push([image.baseAddr + last + 1, image.baseAddr + i]);
      last = i;
    }
    if (first < 0) return [];
    const minCode = image.baseAddr + first;
    const maxCode = image.baseAddr + last;
    const isDump = image.binary.codeAreas === null;
    for (const [start, end] of image.binary.codeAreas ?? [[image.baseAddr, image.end]]) {
      if (minCode > start && minCode < end) gaps.push([start, minCode]);
      if (maxCode >= start && maxCode < end) gaps.push([isDump ? maxCode + 1 : maxCode, end]);
    }
    return gaps.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  private gapPass(): void {
    const { image, decoder } = this;
    const starts = this.gaps().map(([start]) => start);
    if (starts.length === 0) return;
    /** The first gap start strictly after `address`, or the image end. */
    const nextGapAfter = (address: number): number => {
      let low = 0;
      let high = starts.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (starts[middle]! <= address) low = middle + 1;
        else high = middle;
      }
      return low < starts.length ? starts[low]! : image.end;
    };
    let previousCandidate = -1;
    for (let pointer = starts[0]!; pointer < image.end && !this.pastDeadline(); ) {
      const offset = pointer - image.baseAddr;
      this.options.progress?.(0.7 + (0.3 * (pointer - starts[0]!)) / Math.max(1, image.end - starts[0]!));
      if (offset < 0) {
        pointer = nextGapAfter(pointer);
        continue;
      }
      if (PADDING_BYTES.has(image.bytes[offset]!)) {
        let skip = 1;
        while (skip < PADDING_WINDOW && offset + skip < image.bytes.length && PADDING_BYTES.has(image.bytes[offset + skip]!)) skip++;
        pointer += skip;
        continue;
      }
      const instruction = decoder.decode(pointer);
      if (instruction && instruction.mnemonic === 'nop') {
        pointer += instruction.size;
        continue;
      }
      const padding = gapSequenceLength(image.bytes, offset);
      if (padding > 0 && !(image.bitness === 32 && isHotPatchPrologue(image.bytes, offset))) {
        pointer += padding;
        continue;
      }
      if (image.isData(pointer)) {
        pointer++;
        continue;
      }
      if (this.ownerOf(pointer) !== undefined || pointer === previousCandidate) {
        pointer = nextGapAfter(pointer);
        continue;
      }
      previousCandidate = pointer;
      const candidate = this.candidates.ensure(pointer) ?? null;
      if (candidate) candidate.isGap = true;
      const end = this.analyse(pointer, candidate, true);
      const next = end === undefined ? nextGapAfter(pointer) : Math.min(nextGapAfter(pointer), end);
      pointer = Math.max(next, pointer + 1);
    }
  }
}
