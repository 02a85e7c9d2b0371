import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import { JsonText, type JobMethod } from './method.js';
import { stringifyLossless } from '../smda/lossless-json.js';
import { openStorage } from '../storage/open-storage.js';
import { FenceLostError, type Storage } from '../storage/storage.js';
import { MethodRegistry } from './registry.js';
import type { ExecutorData, ExecutorMessage, RunMessage } from './executor-protocol.js';
import type { Fence } from './types.js';

/**
 * An executor thread: runs one job at a time for its worker pool. A method that stores data
 * (`commit`) finishes its job here, on the thread's own database connection, in one transaction
 * with its writes (fenced), so the two can never be separated. Any other job's result is compressed
 * here and written by the pool: measured with no-op jobs, finishing every job on the threads' own
 * connections halved throughput with 2 threads (1,100-1,400 vs 2,300-2,600 jobs/s), as the
 * connections then wait on each other's write lock.
 */
const port = parentPort!;
const data = workerData as ExecutorData;
const registry = await MethodRegistry.load(data.methodModuleUrls);
let opened: Promise<Storage> | undefined; // opened by the first job that uses the database
const storage = (): Promise<Storage> => (opened ??= openStorage(data.storage, { onEventLoop: false }));

function send(message: ExecutorMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const MAX_ERROR_LENGTH = 8_000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

const encodeResult = (result: unknown): Uint8Array =>
  gzipSync(result instanceof JsonText ? result.text : stringifyLossless(result ?? null));

async function jobResult(jobId: string): Promise<unknown> {
  const { jobs } = await storage();
  const job = await jobs.getJob(jobId);
  const result = job?.resultId ? await jobs.getResult(job.resultId) : undefined;
  return result && JSON.parse(gunzipSync(result.gzipJson).toString('utf8'));
}

async function run(message: RunMessage): Promise<void> {
  const { jobNumber, claim, attempt } = message;
  const fence: Fence = { jobNumber, claim };
  let committed: boolean | undefined;
  let method: JobMethod | undefined;
  try {
    method = registry.get(message.method);
    const result = await method.run({
      jobId: message.jobId,
      attempt,
      parameters: message.parameters,
      input: message.input,
      progress: (fraction) => {
        const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
        send({ type: 'progress', jobNumber, claim, fraction: clamped });
      },
      commit: async (write) => {
        if (committed !== undefined) throw new Error('a job commits at most once');
        const outcome = await (await storage()).commitJob(fence, Date.now(), write, encodeResult);
        committed = outcome.committed;
        if (!outcome.committed) throw new FenceLostError(fence);
        return outcome.result;
      },
      read: async (read) => {
        const { samples } = await storage();
        return samples.snapshot(read);
      },
      jobResult,
    });
    if (committed === undefined) {
      // A copy with its own ArrayBuffer: gzipSync may return a view of Node's shared buffer pool,
      // which must not be transferred.
      const gzipJson = new Uint8Array(encodeResult(result));
      send({ type: 'done', jobNumber, claim, gzipJson }, [gzipJson.buffer as ArrayBuffer]);
    } else {
      send({ type: 'completed', jobNumber, claim, accepted: committed });
    }
  } catch (error) {
    if (error instanceof FenceLostError) send({ type: 'completed', jobNumber, claim, accepted: false });
    else {
      const permanent = method?.permanentErrors?.some((type) => error instanceof type) ?? false;
      send({ type: 'failed', jobNumber, claim, error: describeError(error), permanent });
    }
  }
}

port.on('message', (message: RunMessage) => void run(message));
send({ type: 'ready' });
