/**
 * MCRIT's LogBucket table (`mcrit/cache/logbuckets.json`, reference 4.8): for a value below 100000,
 * three neighbouring buckets of a roughly logarithmic scale (`12` → `[10, 12, 14]`), so that close
 * values share shingles. Regenerated here instead of shipped (it equals the JSON for all entries).
 */

const TABLE_SIZE = 100_000;
let table: Int32Array | undefined;

/** Bucket centres: `v` below 4 is its own bucket, above it rounds up to a multiple of 2^floor(log2(v) / 2). */
function bucketCentres(): { centres: number[]; bucketOf: Int32Array } {
  const centres: number[] = [];
  const bucketOf = new Int32Array(2 * TABLE_SIZE);
  for (let value = 0; value < 2 * TABLE_SIZE; value++) {
    const log2 = value > 0 ? 31 - Math.clz32(value) : 0;
    const width = 2 ** Math.floor(log2 / 2);
    const centre = log2 < 2 ? value : width * Math.ceil(value / width);
    if (centres[centres.length - 1] !== centre) centres.push(centre);
    bucketOf[value] = centres.length - 1;
  }
  return { centres, bucketOf };
}

function buildTable(): Int32Array {
  const { centres, bucketOf } = bucketCentres();
  const result = new Int32Array(3 * TABLE_SIZE);
  result.set([-1, 0, 1], 0);
  for (let value = 1; value < TABLE_SIZE; value++) {
    // The nearest non-zero centre among the value's bucket and its neighbours; ties go to the lower.
    let best = -1;
    let bestDistance = Infinity;
    for (let index = bucketOf[value]! - 1; index <= bucketOf[value]! + 1; index++) {
      if (index < 0 || index >= centres.length || centres[index] === 0) continue;
      const distance = Math.abs(value - centres[index]!);
      if (distance < bestDistance) {
        best = index;
        bestDistance = distance;
      }
    }
    result.set([centres[best - 1]!, centres[best]!, centres[best + 1]!], 3 * value);
  }
  return result;
}

/** The three buckets of `value` (0 ≤ value < 100000; MCRIT fails beyond, and so does this). */
export function logBuckets(value: number): [number, number, number] {
  if (!Number.isInteger(value) || value < 0 || value >= TABLE_SIZE) {
    throw new RangeError(`no LogBucket for ${value}: MCRIT's table covers 0 to ${TABLE_SIZE - 1}`);
  }
  table ??= buildTable();
  return [table[3 * value]!, table[3 * value + 1]!, table[3 * value + 2]!];
}
