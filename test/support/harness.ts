import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, type ServiceConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/service.js';
import { SqliteJobStore } from '../../src/storage/sqlite/sqlite-job-store.js';
import { newTestSchema, TEST_STORE } from './postgres.js';

/** Shared test helpers: temporary data folders, an in-process service on a real port, polling. */

export const TEST_METHODS = fileURLToPath(new URL('./test-methods.ts', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function tempDir(prefix = 'mcrit-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestService extends RunningService {
  dataDir: string;
  config: ServiceConfig;
  /** Stops the service and removes its data folder. */
  close(): Promise<void>;
}

/**
 * The real service (HTTP on an ephemeral port, worker threads) with the test methods, on a fresh
 * store: SQLite in a new folder, or with `store` 'postgres' (default: MCRIT_TEST_STORE) a new schema.
 */
export async function startTestService(
  overrides: Partial<ServiceConfig> = {},
  { store = TEST_STORE }: { store?: 'sqlite' | 'postgres' } = {},
): Promise<TestService> {
  const dir = tempDir();
  const schema = store === 'postgres' ? newTestSchema() : undefined;
  const config: ServiceConfig = {
    ...DEFAULTS,
    dataDir: dir.path,
    database: schema?.url,
    port: 0,
    workers: 2,
    methodModules: [TEST_METHODS],
    leaseMs: 5_000,
    heartbeatMs: 200,
    sweepMs: 200,
    pollMs: 20,
    safetyPollMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 1_000,
    shutdownGraceMs: 2_000,
    ...overrides,
  };
  const service = await startService(config);
  return {
    ...service,
    dataDir: dir.path,
    config,
    async close() {
      await service.stop();
      dir.remove();
      await schema?.drop();
    },
  };
}

/** A store on a fresh temporary SQLite file, for store-level tests. */
export function openTempStore(): { store: SqliteJobStore; dataDir: string; close(): Promise<void> } {
  const dir = tempDir();
  const store = new SqliteJobStore(join(dir.path, 'mcrit.sqlite'));
  return {
    store,
    dataDir: dir.path,
    async close() {
      await store.close();
      dir.remove();
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 20, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request to the service and parses the JSON answer. */
export async function api<T = any>(baseUrl: string, method: string, path: string, init: RequestInit = {}): Promise<ApiAnswer<T>> {
  const response = await fetch(baseUrl + path, { ...init, method });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}
