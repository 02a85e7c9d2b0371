import { Type } from 'typebox';
import type { JobMethod } from '../../src/jobs/method.js';

/** Job methods for exercising the engine: registered with `--methods test/support/test-methods.ts`. */

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const noop: JobMethod = {
  name: 'noop',
  parameters: Type.Object({}, { additionalProperties: true }),
  run: () => null,
};

const echo: JobMethod = {
  name: 'echo',
  parameters: Type.Object({}, { additionalProperties: true }),
  run: ({ parameters, input, attempt, jobId }) => ({
    parameters,
    attempt,
    jobId,
    inputLength: input?.byteLength ?? null,
    inputText: input ? Buffer.from(input).toString('utf8') : null,
  }),
};

/** Sleeps `ms` in `steps` steps, reporting progress after each. */
const sleeper: JobMethod = {
  name: 'sleep',
  parameters: Type.Object({ ms: Type.Integer({ minimum: 0 }), steps: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: true }),
  run: async ({ parameters, progress }) => {
    const steps = Number(parameters.steps ?? 10);
    for (let i = 1; i <= steps; i++) {
      await sleep(Number(parameters.ms) / steps);
      progress(i / steps);
    }
    return { slept: parameters.ms };
  },
};

/** Busy CPU for `ms` without reporting progress (the heartbeat must keep its lease alive). */
const cpu: JobMethod = {
  name: 'cpu',
  parameters: Type.Object({ ms: Type.Integer({ minimum: 0 }) }, { additionalProperties: true }),
  run: ({ parameters }) => {
    const end = Date.now() + Number(parameters.ms);
    let x = 0;
    while (Date.now() < end) x += Math.sqrt(x + 1);
    return { spun: parameters.ms, x: x > 0 };
  },
};

/** Fails the first `failures` attempts (all when absent), then returns its attempt number. */
const flaky: JobMethod = {
  name: 'flaky',
  parameters: Type.Object({ failures: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: true }),
  run: ({ parameters, attempt }) => {
    const failures = parameters.failures === undefined ? Infinity : Number(parameters.failures);
    if (attempt <= failures) throw new Error(`flaky failure on attempt ${attempt}`);
    return { succeededOnAttempt: attempt };
  },
};

/** A matching-like result, to exercise `compact`. */
const query: JobMethod = {
  name: 'query',
  matchingReport: true,
  parameters: Type.Object({}, { additionalProperties: true }),
  run: () => ({
    info: { job: 'query' },
    matches: { aggregation: { sample_matches: 1 }, functions: [[1, 2, 3, 99.5, 0]], samples: [{ sample_id: 2 }] },
  }),
};

export default [noop, echo, sleeper, cpu, flaky, query];
