/**
 * Function candidates (reference §2.1–2.5): where they come from, how they are scored, and the queue
 * that always yields the unfinished candidate with the highest current score (ties: lowest address).
 */
import type { AnalysisImage } from './analysis-image.js';
import { prologuePatterns, prologueScore } from './x86-patterns.js';

/** SMDA's caps: candidates at all, and inbound call refs counted per candidate. */
const MAX_CANDIDATES = 200_000;
const MAX_CALL_REFS = 2000;

export class Candidate {
  readonly callRefs = new Set<number>();
  isSymbol = false;
  isException = false;
  isStub = false;
  /** Found by the start-up scans (not during analysis). */
  isInitial = false;
  /** From the gap pass or an after-call cut: may be reverted by a later function that runs into it. */
  isGap = false;
  finished = false;
  aborted = false;
  queued = false;
  score = 0;

  constructor(
    readonly address: number,
    readonly prologue: number,
  ) {}

  get alignment(): 0 | 4 | 16 {
    return this.address % 16 === 0 ? 16 : this.address % 4 === 0 ? 4 : 0;
  }

  recalculate(): number {
    const n = Math.min(this.callRefs.size, MAX_CALL_REFS);
    const refs = n < 10 ? n : 10 + Math.floor(n / 10);
    this.score =
      10000 * +this.isSymbol + 5000 * +this.isException + 1000 * +this.isStub + this.prologue + 10 * refs + (this.alignment > 0 ? 1 : 0);
    return this.score;
  }

  /** SMDA's 11-letter summary of the evidence and outcome. */
  characteristics(): string {
    const flags: [boolean, string][] = [
      [this.isInitial, 'i'],
      [this.isSymbol, 's'],
      [this.isStub, 'u'],
      [this.alignment > 0, 'a'],
      [false, 'l'],
      [this.prologue > 0, 'p'],
      [this.callRefs.size > 0, 'r'],
      [false, 't'], // tail-call analysis: off in SMDA's default configuration
      [this.isGap, 'g'],
      [this.finished, 'f'],
      [this.aborted, 'x'],
    ];
    return flags.map(([set, letter]) => (set ? letter : '-')).join('');
  }
}

/** A max-heap of (score, address) with lazy invalidation: an entry counts only while it matches its candidate. */
class CandidateHeap {
  private readonly entries: [score: number, address: number][] = [];

  private before(a: [number, number], b: [number, number]): boolean {
    return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  push(score: number, address: number): void {
    const entries = this.entries;
    entries.push([score, address]);
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(entries[i]!, entries[parent]!)) break;
      [entries[i], entries[parent]] = [entries[parent]!, entries[i]!];
      i = parent;
    }
  }

  pop(): [number, number] | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined) return undefined;
    if (entries.length > 0) {
      entries[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < entries.length && this.before(entries[left]!, entries[best]!)) best = left;
        if (right < entries.length && this.before(entries[right]!, entries[best]!)) best = right;
        if (best === i) break;
        [entries[i], entries[best]] = [entries[best]!, entries[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** All candidates of one analysis, the call-ref source table used for pruning, and the queue. */
export class CandidateSet {
  readonly byAddress = new Map<number, Candidate>();
  /** Call-ref source → candidate addresses it points to (call-conflict pruning). */
  private readonly callSources = new Map<number, number[]>();
  /** Per image byte: 1 where a call-ref source is (pruning looks at every byte inside instructions). */
  private readonly isCallSource: Uint8Array;
  private readonly heap = new CandidateHeap();
  /** Every candidate address at the time the queue was built (jumps into them are not followed). */
  initialAddresses: ReadonlySet<number> = new Set();
  identifiedAlignment: 0 | 4 | 16 = 0;

  constructor(private readonly image: AnalysisImage) {
    this.isCallSource = new Uint8Array(image.bytes.length);
  }

  /** The candidate at `address`, created if the code filter admits it and the cap allows; else undefined. */
  ensure(address: number): Candidate | undefined {
    const known = this.byAddress.get(address);
    if (known) return known;
    if (!this.image.isInCodeArea(address) || this.byAddress.size >= MAX_CANDIDATES) return undefined;
    const candidate = new Candidate(address, prologueScore(this.image.bytes, address - this.image.baseAddr, this.image.bitness));
    this.byAddress.set(address, candidate);
    return candidate;
  }

  addCallRef(target: number, source: number): Candidate | undefined {
    const candidate = this.ensure(target);
    if (!candidate) return undefined;
    candidate.callRefs.add(source);
    const targets = this.callSources.get(source);
    if (targets) targets.push(target);
    else this.callSources.set(source, [target]);
    if (this.image.contains(source)) this.isCallSource[source - this.image.baseAddr] = 1;
    this.rescore(candidate);
    return candidate;
  }

  /** Queues a candidate (again); it is judged when popped. */
  enqueue(candidate: Candidate): void {
    candidate.queued = true;
    this.heap.push(candidate.recalculate(), candidate.address);
  }

  private rescore(candidate: Candidate): void {
    const before = candidate.score;
    if (candidate.recalculate() !== before && candidate.queued) this.heap.push(candidate.score, candidate.address);
  }

  /** Builds the queue from every candidate found by the start-up scans. */
  startQueue(): void {
    this.initialAddresses = new Set(this.byAddress.keys());
    this.identifiedAlignment = this.alignmentOfCalledCandidates();
    for (const candidate of this.byAddress.values()) this.enqueue(candidate);
  }

  /** The next candidate to analyse; those with score 0 or below the identified alignment are dropped. */
  next(): Candidate | undefined {
    for (;;) {
      const entry = this.heap.pop();
      if (!entry) return undefined;
      const candidate = this.byAddress.get(entry[1])!;
      if (!candidate.queued || candidate.score !== entry[0]) continue;
      candidate.queued = false;
      if (candidate.score === 0 || candidate.alignment < this.identifiedAlignment) continue;
      return candidate;
    }
  }

  /** Call-conflict pruning: `address` turned out to be inside an instruction, so no call starts there. */
  dropCallSource(address: number): void {
    if (this.image.contains(address) && this.isCallSource[address - this.image.baseAddr] === 0) return;
    const targets = this.callSources.get(address);
    if (!targets) return;
    this.callSources.delete(address);
    for (const target of targets) {
      const candidate = this.byAddress.get(target)!;
      candidate.callRefs.delete(address);
      this.rescore(candidate);
    }
  }

  /** 16 or 4 when (nearly) all candidates with several call refs are aligned so; 0 for too few of them. */
  private alignmentOfCalledCandidates(): 0 | 4 | 16 {
    const called = [...this.byAddress.values()].filter((c) => c.callRefs.size > 1);
    if (called.length <= 20) return 0;
    const budget = Math.floor(0.05 * called.length);
    if (called.filter((c) => c.address % 16 !== 0).length <= budget) return 16;
    if (called.filter((c) => c.address % 4 !== 0).length <= budget) return 4;
    return 0;
  }
}

/** Runs SMDA's start-up scans in its order: symbols, 0xE8 calls, `.pdata`, prologues, stub chains, FF15/FF25 pointers. */
export function locateCandidates(image: AnalysisImage, candidates: CandidateSet): void {
  const { bytes, baseAddr, bitness, binary } = image;
  const size = bytes.length;
  const initial = (candidate: Candidate | undefined) => {
    if (candidate) candidate.isInitial = true;
    return candidate;
  };

  const symbolAddresses = new Set(binary.symbolAddresses);
  if (binary.oep !== null) symbolAddresses.add(baseAddr + binary.oep);
  for (const address of symbolAddresses) {
    const candidate = initial(candidates.ensure(address));
    if (candidate) candidate.isSymbol = true;
  }

  // Scans whose hits must lie in a code area only look there.
  const areas = image.codeOffsets();
  for (const [start, end] of areas) {
    for (let p = bytes.indexOf(0xe8, start); p >= 0 && p < end && p + 5 <= size; p = bytes.indexOf(0xe8, p + 1)) {
      const rel = image.view.getInt32(p + 1, true);
      if (rel === 0) continue;
      const target = image.wrap(baseAddr + p + 5 + rel);
      if (image.contains(target)) initial(candidates.addCallRef(target, baseAddr + p));
    }
  }

  if (binary.exceptionTable && bitness === 64) {
    const [start, length] = binary.exceptionTable;
    for (let at = start - baseAddr; at + 12 <= Math.min(size, start - baseAddr + length); at += 12) {
      const begin = image.view.getUint32(at, true);
      if (begin === 0) break;
      const unwind = image.view.getUint32(at + 8, true); // an RVA: also the image offset
      const flags = unwind < size ? (bytes[unwind]! >> 3) & 4 : 0;
      if (flags !== 0) continue; // chained unwind info: a part of another function
      const candidate = initial(candidates.ensure(baseAddr + begin));
      if (candidate) candidate.isException = true;
    }
  }

  for (const pattern of prologuePatterns(bitness)) {
    for (const [start, end] of areas) {
      for (let p = bytes.indexOf(pattern[0]!, start); p >= 0 && p < end && p + pattern.length <= size; p = bytes.indexOf(pattern[0]!, p + 1)) {
        if (!pattern.every((b, i) => bytes[p + i] === b)) continue;
        initial(candidates.ensure(baseAddr + p));
        p += pattern.length - 1;
      }
    }
  }

  locateStubChains(image, candidates, areas);

  if (bitness === 32) {
    for (let p = bytes.indexOf(0xff); p >= 0 && p + 6 <= size; p = bytes.indexOf(0xff, p + 1)) {
      if (bytes[p + 1] !== 0x25 && bytes[p + 1] !== 0x15) continue;
      const slot = image.readPointer(image.view.getUint32(p + 2, true));
      if (slot !== undefined && image.isInCodeArea(slot)) initial(candidates.addCallRef(slot, baseAddr + p));
    }
  }
  candidates.startQueue();
}

/**
 * Import stub chains: at least two consecutive `jmp [slot]` (FF 25), lazy PLT entries (FF 25 x4,
 * 68 x4, E9 x4) or `.plt.sec` entries (endbr64; bnd jmp [slot]; nop). Each jmp is a stub; the bytes
 * after a PLT entry's jmp are data, not code.
 */
function locateStubChains(image: AnalysisImage, candidates: CandidateSet, areas: [number, number][]): void {
  const { bytes, baseAddr } = image;
  const shapes: { matches(p: number): boolean; length: number; stubOffset: number; trailing: number }[] = [
    { matches: (p) => bytes[p] === 0xff && bytes[p + 1] === 0x25 && bytes[p + 6] === 0x68 && bytes[p + 11] === 0xe9, length: 16, stubOffset: 0, trailing: 10 },
    {
      matches: (p) =>
        bytes[p] === 0xf3 && bytes[p + 1] === 0x0f && bytes[p + 2] === 0x1e && bytes[p + 3] === 0xfa && bytes[p + 4] === 0xf2 && bytes[p + 5] === 0xff &&
        bytes[p + 6] === 0x25 && bytes[p + 11] === 0x0f && bytes[p + 12] === 0x1f && bytes[p + 13] === 0x44 && bytes[p + 14] === 0 && bytes[p + 15] === 0,
      length: 16,
      stubOffset: 0,
      trailing: 5,
    },
    { matches: (p) => bytes[p] === 0xff && bytes[p + 1] === 0x25, length: 6, stubOffset: 0, trailing: 0 },
  ];
  const claimed = new Uint8Array(bytes.length);
  for (const shape of shapes) {
    const firstByte = shape.length === 16 && shape.trailing === 5 ? 0xf3 : 0xff;
    for (const [start, areaEnd] of areas) {
      for (let p = bytes.indexOf(firstByte, start); p >= 0 && p < areaEnd && p + shape.length * 2 <= bytes.length; p = bytes.indexOf(firstByte, p + 1)) {
        if (claimed[p] || !shape.matches(p) || !shape.matches(p + shape.length)) continue;
        let end = p;
        while (end + shape.length <= bytes.length && shape.matches(end)) {
          const candidate = candidates.ensure(baseAddr + end + shape.stubOffset);
          if (candidate) {
            candidate.isStub = true;
            candidate.isInitial = true;
          }
          const jmpEnd = end + shape.length - shape.trailing;
          for (let d = jmpEnd; d < end + shape.length; d++) image.markData(baseAddr + d);
          claimed.fill(1, end, end + shape.length);
          end += shape.length;
        }
        p = end - 1;
      }
    }
  }
}
