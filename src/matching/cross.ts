/**
 * A cross comparison (reference 6.9): from one matching report per sample, the matrices of match
 * percentages and match counts for each byte measure, and the samples in the leaf order of a
 * complete-linkage clustering.
 */

export const CROSS_MEASURES = ['unweighted', 'score_weighted', 'frequency_weighted', 'nonlib_unweighted', 'nonlib_score_weighted', 'nonlib_frequency_weighted'] as const;
type Measure = (typeof CROSS_MEASURES)[number];

/** What the cross comparison reads of a matching report. */
export interface CrossInput {
  matches: { samples: { sample_id: number; matched: { functions: { combined: number }; percent: Record<Measure, number> } }[] };
}

export interface CrossMatrix {
  matching_matches: Record<string, Record<string, number>>;
  matching_percent: Record<string, Record<string, number>>;
  clustered_sequence: string[];
}

/** `reports`: sample id → its matching report. */
export function crossCompare(reports: ReadonlyMap<number, CrossInput>): Record<Measure, CrossMatrix> {
  const ids = [...reports.keys()].map(String).sort();
  const result = {} as Record<Measure, CrossMatrix>;
  for (const measure of CROSS_MEASURES) {
    const percent: Record<string, Record<string, number>> = {};
    const matches: Record<string, Record<string, number>> = {};
    for (const i of ids) {
      const found = new Map(reports.get(Number(i))!.matches.samples.map((s) => [String(s.sample_id), s.matched]));
      percent[i] = Object.fromEntries(ids.map((j) => [j, i === j ? 100 : (found.get(j)?.percent[measure] ?? 0)]));
      matches[i] = Object.fromEntries(ids.map((j) => [j, i === j ? 0 : (found.get(j)?.functions.combined ?? 0)]));
    }
    const distance = (a: string, b: string) => Math.min(100 - percent[a]![b]!, 100 - percent[b]![a]!);
    result[measure] = { matching_matches: matches, matching_percent: percent, clustered_sequence: completeLinkageOrder(ids, distance) };
  }
  return result;
}

/**
 * Leaf order of a complete-linkage dendrogram (left subtree first). At each step the two clusters at
 * the smallest distance merge (ties: the pair of lowest cluster numbers, scipy's numbering: leaves
 * 0..n-1, the k-th merge n+k); the lower-numbered cluster is the left one.
 */
export function completeLinkageOrder(items: readonly string[], distance: (a: string, b: string) => number): string[] {
  type Cluster = { number: number; members: string[]; leaves: string[] };
  let clusters: Cluster[] = items.map((item, number) => ({ number, members: [item], leaves: [item] }));
  const linkage = (a: Cluster, b: Cluster) => Math.max(...a.members.flatMap((x) => b.members.map((y) => distance(x, y))));
  let next = items.length;
  while (clusters.length > 1) {
    let best: [number, number] = [0, 1];
    let bestDistance = Infinity;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const d = linkage(clusters[i]!, clusters[j]!);
        if (d < bestDistance) [best, bestDistance] = [[i, j], d];
      }
    }
    const [left, right] = [clusters[best[0]]!, clusters[best[1]]!].sort((a, b) => a.number - b.number) as [Cluster, Cluster];
    const merged = { number: next++, members: [...left.members, ...right.members], leaves: [...left.leaves, ...right.leaves] };
    clusters = [...clusters.filter((c) => c !== left && c !== right), merged];
  }
  return clusters[0]?.leaves ?? [];
}
