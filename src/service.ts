import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from './config.js';
import { JobEngine } from './jobs/engine.js';
import { BUILTIN_METHODS_MODULE, methodModuleUrl, MethodRegistry } from './jobs/registry.js';
import { WorkerPool } from './jobs/worker-pool.js';
import { buildHttpServer } from './http/server.js';
import { SqliteJobStore } from './storage/sqlite/sqlite-job-store.js';
import type { JobStore } from './storage/store.js';
import { VERSION } from './version.js';

export function databasePath(dataDir: string): string {
  return join(dataDir, 'mcrit.sqlite');
}

export function openStore(config: Pick<ServiceConfig, 'dataDir'>): JobStore {
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteJobStore(databasePath(config.dataDir));
}

export async function loadRegistry(config: Pick<ServiceConfig, 'methodModules'>): Promise<MethodRegistry> {
  return MethodRegistry.load([BUILTIN_METHODS_MODULE, ...config.methodModules.map(methodModuleUrl)]);
}

export function createWorkerPool(store: JobStore, registry: MethodRegistry, config: ServiceConfig): WorkerPool {
  return new WorkerPool(store, {
    concurrency: config.workers,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    sweepMs: config.sweepMs,
    pollMs: config.pollMs,
    progressWriteMs: Math.min(250, config.heartbeatMs),
    backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    methodModuleUrls: [...registry.moduleUrls],
    methods: registry.names,
  });
}

export interface RunningService {
  engine: JobEngine;
  pool?: WorkerPool;
  http: FastifyInstance;
  /** The address the server listens on, e.g. http://127.0.0.1:8000 */
  url: string;
  stop(): Promise<void>;
}

/** The HTTP server with its store and, unless `workers` is 0, an in-process worker pool. */
export async function startService(config: ServiceConfig): Promise<RunningService> {
  const store = openStore(config);
  const registry = await loadRegistry(config);
  const engine = new JobEngine(store, registry, config.maxAttempts);
  const pool = config.workers > 0 ? createWorkerPool(store, registry, config) : undefined;
  if (pool) {
    await pool.start();
    engine.on('enqueued', () => pool.wake());
    engine.on('deleted', () => void pool.renewLeases().catch(() => undefined));
  }
  const http = await buildHttpServer(engine, {
    apiToken: config.apiToken,
    bodyLimitBytes: config.bodyLimitBytes,
    logRequests: config.logRequests,
    version: VERSION,
  });
  await http.listen({ host: config.host, port: config.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    engine,
    pool,
    http,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    async stop() {
      await http.close();
      await pool?.stop(config.shutdownGraceMs);
      await store.close();
    },
  };
}
