import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logBuckets } from '../../src/minhash/shingling/log-buckets.js';

test('the LogBucket values of reference 4.8', () => {
  const expected: Record<number, [number, number, number]> = {
    0: [-1, 0, 1],
    1: [0, 1, 2],
    2: [1, 2, 3],
    3: [2, 3, 4],
    4: [3, 4, 6],
    5: [3, 4, 6],
    6: [4, 6, 8],
    7: [4, 6, 8],
    8: [6, 8, 10],
    9: [6, 8, 10],
    10: [8, 10, 12],
    11: [8, 10, 12],
    12: [10, 12, 14],
    16: [14, 16, 20],
    17: [14, 16, 20],
    18: [14, 16, 20],
    19: [16, 20, 24],
    24: [20, 24, 28],
    29: [24, 28, 32],
    32: [28, 32, 36],
    33: [28, 32, 36],
    59: [56, 60, 64],
    64: [60, 64, 72],
    89: [80, 88, 96],
    97: [88, 96, 104],
    100: [88, 96, 104],
    128: [120, 128, 136],
    1000: [976, 992, 1008],
    1197: [1152, 1184, 1216],
    4096: [4064, 4096, 4160],
    65536: [65408, 65536, 65792],
    99999: [99840, 100096, 100352],
  };
  for (const [value, buckets] of Object.entries(expected)) assert.deepEqual(logBuckets(Number(value)), buckets, value);
});

test('not the _getLogBucketRange values MCRIT testShingling.py asserts (a function the shinglers do not use)', () => {
  assert.notDeepEqual(logBuckets(5), [4, 6, 8]);
  assert.notDeepEqual(logBuckets(89), [88, 96, 104]);
});

test('the table ends at 99999, as MCRIT\'s', () => {
  assert.throws(() => logBuckets(100_000), RangeError);
  assert.throws(() => logBuckets(-1), RangeError);
});
