import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { MethodRegistry } from './registry.js';
import type { ExecutorData, ExecutorMessage, RunMessage } from './executor-protocol.js';

/** An executor thread: runs one job at a time for its worker pool. */
const port = parentPort!;
const registry = await MethodRegistry.load((workerData as ExecutorData).methodModuleUrls);

function send(message: ExecutorMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const MAX_ERROR_LENGTH = 8_000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

async function run(message: RunMessage): Promise<void> {
  const { jobNumber, claim, attempt } = message;
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
    });
    // A copy with its own ArrayBuffer: gzipSync may return a view of Node's shared buffer pool,
    // which must not be transferred.
    const gzipJson = new Uint8Array(gzipSync(JSON.stringify(result ?? null)));
    send({ type: 'done', jobNumber, claim, gzipJson }, [gzipJson.buffer as ArrayBuffer]);
  } catch (error) {
    send({ type: 'failed', jobNumber, claim, error: describeError(error) });
  }
}

port.on('message', (message: RunMessage) => void run(message));
send({ type: 'ready' });
