/**
 * Candidate retrieval (reference 5.6): a stored function is a candidate of an own function when it
 * appears in at least `required` of the own function's 20 band buckets.
 */

/** The ids appearing at least `required` times in `members` (one entry per shared band), ascending. */
export function candidatesFromBuckets(members: Int32Array, required: number): Int32Array {
  members.sort();
  const candidates: number[] = [];
  let run = 0;
  for (let i = 0; i < members.length; i++) {
    run = i > 0 && members[i] === members[i - 1] ? run + 1 : 1;
    if (run === required) candidates.push(members[i]!);
  }
  return Int32Array.from(candidates);
}
