import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Everything a service or worker process is configured with; CLI flags and environment map onto it. */
export interface ServiceConfig {
  /** Folder of the SQLite database (and of nothing else when `database` is set). */
  dataDir: string;
  /** A PostgreSQL URL (`postgres://…`, optional `?schema=name`); unset: SQLite in `dataDir`. */
  database?: string;
  host: string;
  port: number;
  /** Executor threads in this process; 0 runs no worker (API only). */
  workers: number;
  /** Method modules beyond the built-in ones (file paths or URLs). */
  methodModules: string[];
  apiToken?: string;
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
  /** Idle poll of a store that cannot announce new work (SQLite). */
  pollMs: number;
  /** Idle poll of a store that announces new work (PostgreSQL): a safety net, and retries whose backoff expired. */
  safetyPollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** How long SIGTERM waits for running jobs before handing them back. */
  shutdownGraceMs: number;
  bodyLimitBytes: number;
  /** Largest SMDA report POST /samples accepts. */
  maxReportBytes: number;
  logRequests: boolean;
}

export const DEFAULTS: ServiceConfig = {
  dataDir: resolve('data'),
  host: '127.0.0.1',
  port: 8000,
  workers: availableParallelism(),
  methodModules: [],
  leaseMs: 60_000,
  heartbeatMs: 2_000,
  sweepMs: 5_000,
  pollMs: 250,
  safetyPollMs: 1_000,
  retryBaseMs: 2_000,
  retryMaxMs: 300_000,
  maxAttempts: 3,
  shutdownGraceMs: 10_000,
  bodyLimitBytes: 512 * 1024 * 1024,
  maxReportBytes: 256 * 1024 * 1024,
  logRequests: false,
};
