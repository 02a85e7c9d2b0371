import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { Type } from 'typebox';
import type { JobMethod } from '../../src/jobs/method.js';

/**
 * An audit job method for the reliability tests: registered with `--methods test/support/audit-methods.ts`.
 *
 * Every execution appends lines `jobId attempt pid threadId event epochMs` to the file named by its
 * `log` parameter (appendFileSync: one small O_APPEND write per line, atomic across processes), so a
 * test can count how often, where and when each job ran. Events: `start`, `tick` (every `tickMs`
 * while sleeping), `end` (just before returning), `throw` and `crash` (just before failing).
 * test/support/audit-log.ts reads the file back.
 */

export type CrashMode = 'throw' | 'exit' | 'asyncThrow';

function record(log: string, jobId: string, attempt: number, event: string): void {
  appendFileSync(log, `${jobId} ${attempt} ${process.pid} ${threadId} ${event} ${Date.now()}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const audit: JobMethod = {
  name: 'audit',
  parameters: Type.Object(
    {
      /** The audit file. */
      log: Type.String({ minLength: 1 }),
      /** How long the job sleeps (not busy), ticking and reporting progress. */
      ms: Type.Optional(Type.Integer({ minimum: 0 })),
      tickMs: Type.Optional(Type.Integer({ minimum: 1 })),
      /** How the attempt fails, after sleeping: a thrown error, process.exit in the executor thread, or an error thrown in a timer. */
      crash: Type.Optional(Type.Union([Type.Literal('throw'), Type.Literal('exit'), Type.Literal('asyncThrow')])),
      /** Only attempts up to this one fail (all when absent). */
      crashAttempts: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: true },
  ),
  run: async ({ jobId, attempt, parameters, progress }) => {
    const log = String(parameters.log);
    record(log, jobId, attempt, 'start');
    const ms = Number(parameters.ms ?? 0);
    if (ms > 0) {
      const tickMs = Number(parameters.tickMs ?? 50);
      const end = Date.now() + ms;
      for (let now = Date.now(); now < end; now = Date.now()) {
        await sleep(Math.min(tickMs, end - now));
        record(log, jobId, attempt, 'tick');
        progress(Math.min(1, 1 - (end - Date.now()) / ms));
      }
    }
    const crash = parameters.crash as CrashMode | undefined;
    const crashAttempts = parameters.crashAttempts === undefined ? Infinity : Number(parameters.crashAttempts);
    if (crash && attempt <= crashAttempts) {
      if (crash === 'throw') {
        record(log, jobId, attempt, 'throw');
        throw new Error(`audit job ${jobId} failed on purpose in attempt ${attempt}`);
      }
      record(log, jobId, attempt, 'crash');
      if (crash === 'exit') process.exit(7);
      setTimeout(() => {
        throw new Error(`audit job ${jobId} threw asynchronously in attempt ${attempt}`);
      }, 1);
      await new Promise(() => undefined); // never settles: the timer's error ends the thread
    }
    record(log, jobId, attempt, 'end');
    return { pid: process.pid, threadId, attempt };
  },
};

export default [audit];
