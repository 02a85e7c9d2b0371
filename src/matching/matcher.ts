import { performance } from 'node:perf_hooks';
import { bandHashes } from '../minhash/bands.js';
import type { SampleStore } from '../storage/sample-store.js';
import { candidatesFromBuckets } from './candidates.js';
import { equalSlots, scoreOf, signatureWords } from './signature-scoring.js';
import {
  setMatch,
  type MatchableFunction,
  type MatchingBudget,
  type MatchingParameters,
  type MatchTable,
  type SignatureRows,
} from './types.js';

/** What is matched against what (reference 6.1). */
export interface MatchSubject {
  ownSampleId: number;
  ownFamilyId: number;
  /** In own-entry order (ascending offset). */
  ownFunctions: readonly MatchableFunction[];
  /**
   * Vs / VsGroup: the functions of the other samples. Only they (and the own sample's) may match,
   * and PicHash groups are formed over them and the own functions alone. Absent: the whole collection.
   */
  otherFunctions?: readonly MatchableFunction[];
}

/** The three match tables of reference 6.6: PicHash, MinHash (with PicHash implied), and both merged. */
export interface MatchTables {
  picHash: MatchTable;
  minHash: MatchTable;
  all: MatchTable;
  stats: MatchStats;
}

/** How much work a run did (for benchmarks and logs). */
export interface MatchStats {
  /** Own functions with a signature, looked up in the band index. */
  ownFunctionsHashed: number;
  /** (own, candidate) pairs found in the band index. */
  candidatePairs: number;
  /** Pairs whose signatures were compared. */
  scoredPairs: number;
  batches: number;
  /** Time in band index lookups, signature reads and scoring (milliseconds). */
  bandLookupMs: number;
  signatureReadMs: number;
  scoringMs: number;
}

export interface MatchProgress {
  (fraction: number): void;
}

type GroupMember = Pick<MatchableFunction, 'id' | 'sampleId' | 'familyId'>;

/** Finds the matches of the subject's own functions (reference 6.2 to 6.5). */
export async function findMatches(
  subject: MatchSubject,
  store: SampleStore,
  parameters: MatchingParameters,
  budget: MatchingBudget,
  progress: MatchProgress = () => {},
): Promise<MatchTables> {
  const picHash = harmonisePicHashGroups(subject, await picHashGroups(subject, store), parameters.picHashSize);
  progress(0.05);
  const minHash: MatchTable = new Map();
  const stats: MatchStats = { ownFunctionsHashed: 0, candidatePairs: 0, scoredPairs: 0, batches: 0, bandLookupMs: 0, signatureReadMs: 0, scoringMs: 0 };
  if (parameters.bandMatchesRequired > 0) {
    await scoreCandidates(subject, store, parameters, budget, { picHash, minHash, stats }, (done) => progress(0.05 + 0.9 * done));
  }
  // Reference 6.5: a PicHash match implies a MinHash match of score 100; `all` merges both.
  const all: MatchTable = new Map();
  for (const [ownId, row] of picHash) {
    for (const [foreignId, pic] of row) {
      const min = minHash.get(ownId)?.get(foreignId);
      if (min === undefined) setMatch(minHash, ownId, foreignId, { ...pic, isPicHash: false, isMinHash: true });
    }
  }
  for (const [ownId, row] of minHash) for (const [foreignId, match] of row) setMatch(all, ownId, foreignId, match);
  for (const [ownId, row] of picHash) {
    for (const [foreignId, pic] of row) {
      const min = all.get(ownId)!.get(foreignId)!;
      setMatch(all, ownId, foreignId, { ...pic, score: Math.max(pic.score, min.score), isMinHash: min.isMinHash });
    }
  }
  progress(1);
  return { picHash, minHash, all, stats };
}

/** PicHash groups: functions sharing a PicHash with an own function (reference 6.1 and 6.3). */
async function picHashGroups(subject: MatchSubject, store: SampleStore): Promise<GroupMember[][]> {
  if (subject.otherFunctions !== undefined) {
    // Vs / VsGroup group every function of both sides, a null PicHash included.
    const groups = new Map<bigint | null, GroupMember[]>();
    for (const fn of [...subject.ownFunctions, ...subject.otherFunctions]) {
      const group = groups.get(fn.picHash);
      if (group === undefined) groups.set(fn.picHash, [fn]);
      else group.push(fn);
    }
    return [...groups.values()];
  }
  const ownByHash = new Map<bigint, MatchableFunction[]>();
  for (const fn of subject.ownFunctions) {
    if (fn.picHash === null) continue;
    const group = ownByHash.get(fn.picHash);
    if (group === undefined) ownByHash.set(fn.picHash, [fn]);
    else group.push(fn);
  }
  const groups: GroupMember[][] = [];
  for (const [hash, own] of ownByHash) {
    const stored: GroupMember[] = (await store.picHashMatches(hash)).map(([familyId, sampleId, id]) => ({ id, sampleId, familyId }));
    if (stored.length === 0) continue;
    // A query's own functions are not stored: they join the groups that have a stored function.
    const storedIds = new Set(stored.map((member) => member.id));
    groups.push([...stored, ...own.filter((fn) => !storedIds.has(fn.id))]);
  }
  return groups;
}

/**
 * Reference 6.3: in a group of more than one function whose last own member has at least
 * `picHashSize` instructions, every own function matches every other member with score 100.
 */
function harmonisePicHashGroups(subject: MatchSubject, groups: GroupMember[][], picHashSize: number): MatchTable {
  const ownInstructions = new Map(subject.ownFunctions.map((fn) => [fn.id, fn.numInstructions]));
  const table: MatchTable = new Map();
  for (const group of groups) {
    if (group.length < 2) continue;
    const own = group.filter((member) => ownInstructions.has(member.id));
    const size = own.length === 0 ? 0 : ownInstructions.get(own[own.length - 1]!.id)!;
    if (size < picHashSize) continue;
    for (const o of own) {
      for (const member of group) {
        if (member.id === o.id) continue;
        const isOwn = ownInstructions.has(member.id);
        setMatch(table, o.id, member.id, {
          foreignFamilyId: isOwn ? subject.ownFamilyId : member.familyId,
          foreignSampleId: isOwn ? subject.ownSampleId : member.sampleId,
          score: 100,
          isPicHash: true,
          isMinHash: false,
        });
      }
    }
  }
  return table;
}

interface PendingFunction {
  own: MatchableFunction;
  candidates: Int32Array;
}

/** Reference 6.2 step 2 and 6.4, in batches bounded by the pair budget (reference 6.7). */
async function scoreCandidates(
  subject: MatchSubject,
  store: SampleStore,
  parameters: MatchingParameters,
  budget: MatchingBudget,
  tables: Omit<MatchTables, 'all'>,
  progress: (done: number) => void,
): Promise<void> {
  const hashed = subject.ownFunctions.filter((fn) => fn.signature !== null);
  tables.stats.ownFunctionsHashed = hashed.length;
  const domain = subject.otherFunctions && new Set([subject.ownSampleId, ...subject.otherFunctions.map((fn) => fn.sampleId)]);
  let pending: PendingFunction[] = [];
  let pendingPairs = 0;
  const flush = async () => {
    await scoreBatch(subject, store, parameters, pending, domain, tables);
    pending = [];
    pendingPairs = 0;
  };
  for (const [i, own] of hashed.entries()) {
    const lookupStart = performance.now();
    const members = await store.bandBucketMembers(bandHashes(own.signature!));
    const candidates = candidatesFromBuckets(members, parameters.bandMatchesRequired);
    tables.stats.bandLookupMs += performance.now() - lookupStart;
    if (candidates.length > 0) {
      pending.push({ own, candidates });
      pendingPairs += candidates.length;
      tables.stats.candidatePairs += candidates.length;
    }
    if (pendingPairs >= budget.maxPairs || pending.length >= budget.maxFunctions) {
      await flush();
      progress((i + 1) / hashed.length);
    }
  }
  await flush();
}

async function scoreBatch(
  subject: MatchSubject,
  store: SampleStore,
  parameters: MatchingParameters,
  batch: readonly PendingFunction[],
  domain: ReadonlySet<number> | undefined,
  { picHash, minHash, stats }: Omit<MatchTables, 'all'>,
): Promise<void> {
  if (batch.length === 0) return;
  stats.batches++;
  const readStart = performance.now();
  const rows = await store.signatureRows(uniqueSorted(batch.map((pending) => pending.candidates)));
  stats.signatureReadMs += performance.now() - readStart;
  const scoringStart = performance.now();
  const rowOf = new Map<number, number>();
  rows.ids.forEach((id, row) => rowOf.set(id, row));
  const candidateWords = signatureWords(rows.signatures);
  const ownWords = signatureWords(concatSignatures(batch.map((pending) => pending.own.signature!)));
  const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.own.id - batch[b]!.own.id);
  for (const i of order) {
    const { own, candidates } = batch[i]!;
    // A PicHash match to a sample suppresses the MinHash matches of this own function to that sample.
    const suppressed = new Set([...(picHash.get(own.id)?.values() ?? [])].map((match) => match.foreignSampleId));
    const { best, scored } = bestPerSample(own.id, i, ownWords, candidates, rows, rowOf, candidateWords, domain, suppressed, parameters.minhashThreshold);
    stats.scoredPairs += scored;
    for (const [sampleId, { row, score }] of best) {
      const foreignId = rows.ids[row]!;
      setMatch(minHash, own.id, foreignId, { foreignFamilyId: rows.familyIds[row]!, foreignSampleId: sampleId, score, isPicHash: false, isMinHash: true });
      if (sampleId === subject.ownSampleId) {
        setMatch(minHash, foreignId, own.id, { foreignFamilyId: subject.ownFamilyId, foreignSampleId: sampleId, score, isPicHash: false, isMinHash: true });
      }
    }
  }
  stats.scoringMs += performance.now() - scoringStart;
}

/** Reference 6.4: per candidate sample the best score above the threshold; ties keep the smallest function id. */
function bestPerSample(
  ownId: number,
  ownRow: number,
  ownWords: Uint32Array,
  candidates: Int32Array,
  rows: SignatureRows,
  rowOf: ReadonlyMap<number, number>,
  candidateWords: Uint32Array,
  domain: ReadonlySet<number> | undefined,
  suppressed: ReadonlySet<number>,
  threshold: number,
): { best: Map<number, { row: number; score: number }>; scored: number } {
  const best = new Map<number, { row: number; score: number }>();
  let scored = 0;
  for (const candidate of candidates) {
    if (candidate === ownId) continue;
    const row = rowOf.get(candidate);
    if (row === undefined) continue;
    const sampleId = rows.sampleIds[row]!;
    if (suppressed.has(sampleId) || (domain !== undefined && !domain.has(sampleId))) continue;
    const score = scoreOf(equalSlots(ownWords, ownRow, candidateWords, row));
    scored++;
    if (score <= threshold) continue;
    const current = best.get(sampleId);
    if (current === undefined || score > current.score) best.set(sampleId, { row, score });
  }
  return { best, scored };
}

function uniqueSorted(lists: readonly Int32Array[]): number[] {
  const all = new Int32Array(lists.reduce((sum, list) => sum + list.length, 0));
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  all.sort();
  const unique: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) unique.push(all[i]!);
  return unique;
}

function concatSignatures(signatures: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(signatures.length * 64);
  signatures.forEach((signature, i) => bytes.set(signature, i * 64));
  return bytes;
}
