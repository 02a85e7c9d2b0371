import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { stringifyLossless } from '../smda/lossless-json.js';
import { openStorage } from '../storage/open-storage.js';
import { FenceLostError, type Storage } from '../storage/storage.js';
import { MethodRegistry } from './registry.js';
import type { ExecutorData, ExecutorMessage, RunMessage } from './executor-protocol.js';
import type { Fence } from './types.js';

/**
 * An executor thread: runs one job at a time for its worker pool, on its own database connection.
 * It finishes each job itself, in one transaction with whatever the method writes (fenced), so a
 * method's writes and its job's completion can never be separated.
 */
const port = parentPort!;
const data = workerData as ExecutorData;
const registry = await MethodRegistry.load(data.methodModuleUrls);
const storage: Storage = openStorage(data.storage);

function send(message: ExecutorMessage): void {
  port.postMessage(message);
}

const MAX_ERROR_LENGTH = 8_000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

const encodeResult = (result: unknown): Uint8Array => gzipSync(stringifyLossless(result ?? null));

async function run(message: RunMessage): Promise<void> {
  const { jobNumber, claim, attempt } = message;
  const fence: Fence = { jobNumber, claim };
  let committed: boolean | undefined;
  try {
    const result = await registry.get(message.method).run({
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
        const outcome = await storage.commitJob(fence, Date.now(), write, encodeResult);
        committed = outcome.committed;
        if (!outcome.committed) throw new FenceLostError(fence);
        return outcome.result;
      },
    });
    if (committed === undefined) {
      committed = (await storage.commitJob(fence, Date.now(), async () => result, encodeResult)).committed;
    }
    send({ type: 'completed', jobNumber, claim, accepted: committed });
  } catch (error) {
    if (error instanceof FenceLostError) send({ type: 'completed', jobNumber, claim, accepted: false });
    else send({ type: 'failed', jobNumber, claim, error: describeError(error) });
  }
}

port.on('message', (message: RunMessage) => void run(message));
send({ type: 'ready' });
