import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from './config.js';
import { JobEngine } from './jobs/engine.js';
import { BUILTIN_METHODS_MODULE, methodModuleUrl, MethodRegistry } from './jobs/registry.js';
import { WorkerPool } from './jobs/worker-pool.js';
import { buildHttpServer } from './http/server.js';
import { openStorage } from './storage/open-storage.js';
import type { Storage, StorageLocation } from './storage/storage.js';
import { VERSION } from './version.js';

export function databasePath(dataDir: string): string {
  return join(dataDir, 'mcrit.sqlite');
}

export function storageLocation(config: Pick<ServiceConfig, 'dataDir' | 'database'>): StorageLocation {
  if (config.database) return { kind: 'postgres', url: config.database };
  return { kind: 'sqlite', path: databasePath(config.dataDir) };
}

export function openServiceStorage(config: Pick<ServiceConfig, 'dataDir' | 'database'>): Promise<Storage> {
  if (!config.database) mkdirSync(config.dataDir, { recursive: true });
  return openStorage(storageLocation(config), { onEventLoop: true });
}

export async function loadRegistry(config: Pick<ServiceConfig, 'methodModules'>): Promise<MethodRegistry> {
  return MethodRegistry.load([BUILTIN_METHODS_MODULE, ...config.methodModules.map(methodModuleUrl)]);
}

export function createWorkerPool(storage: Storage, registry: MethodRegistry, config: ServiceConfig): WorkerPool {
  return new WorkerPool(storage.jobs, {
    concurrency: config.workers,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    sweepMs: config.sweepMs,
    pollMs: config.pollMs,
    safetyPollMs: config.safetyPollMs,
    progressWriteMs: Math.min(250, config.heartbeatMs),
    backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    storage: storageLocation(config),
    methodModuleUrls: [...registry.moduleUrls],
    methods: registry.names,
  });
}

export interface RunningService {
  engine: JobEngine;
  storage: Storage;
  pool?: WorkerPool;
  http: FastifyInstance;
  /** The address the server listens on, e.g. http://127.0.0.1:8000 */
  url: string;
  stop(): Promise<void>;
}

/** The HTTP server with its store and, unless `workers` is 0, an in-process worker pool. */
export async function startService(config: ServiceConfig): Promise<RunningService> {
  const storage = await openServiceStorage(config);
  const registry = await loadRegistry(config);
  const engine = new JobEngine(storage.jobs, registry, config.maxAttempts);
  const http = await buildHttpServer(engine, storage, {
    apiToken: config.apiToken,
    bodyLimitBytes: config.bodyLimitBytes,
    maxReportBytes: config.maxReportBytes,
    logRequests: config.logRequests,
    version: VERSION,
  });
  // Workers start claiming only now: building the server blocks the event loop for a while (schema
  // compilation; seconds on a loaded machine), long enough for the leases of claimed jobs to expire
  // unrenewed (seen: a job reclaimed from a healthy server that had just started).
  const pool = config.workers > 0 ? createWorkerPool(storage, registry, config) : undefined;
  if (pool) {
    await pool.start();
    engine.on('enqueued', () => pool.wake());
    engine.on('deleted', () => void pool.renewLeases().catch(() => undefined));
  }
  await http.listen({ host: config.host, port: config.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    engine,
    storage,
    pool,
    http,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    async stop() {
      await http.close();
      await pool?.stop(config.shutdownGraceMs);
      await storage.close();
    },
  };
}
