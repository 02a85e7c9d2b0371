import { spawn, type ChildProcess } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { JobEngine } from '../../src/jobs/engine.js';
import { methodModuleUrl, MethodRegistry } from '../../src/jobs/registry.js';
import { storageLocation } from '../../src/service.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import type { JobStore } from '../../src/storage/store.js';
import { CLI_ENTRY, REPO_ROOT, tempDir, TEST_METHODS } from './harness.js';
import { newTestSchema, TEST_STORE } from './postgres.js';
import { AUDIT_METHODS } from './audit-log.js';

/**
 * Real service processes for the reliability tests: `node --import tsx src/cli/main.ts worker|serve`
 * on a shared data folder. Every process is tracked by a ProcessSet so that a test can kill what it
 * started (by pid, SIGKILL) in its `finally`/`after`, whatever happened.
 */

/** Short queue timings, so that lease expiry, sweeping and retries happen within a test. */
export const FAST = {
  leaseMs: 1_500,
  heartbeatMs: 200,
  sweepMs: 200,
  pollMs: 20,
  /** On PostgreSQL, where new jobs are announced: the poll that finds retries whose backoff expired. */
  safetyPollMs: 100,
  retryBaseMs: 100,
} as const;

export interface ProcessOptions {
  dataDir: string;
  /** A PostgreSQL URL: the processes use it instead of the SQLite file in `dataDir`. */
  database?: string;
  /** Executor threads in the process (default 1; `serve` accepts 0 = API only). */
  workers?: number;
  /** Method modules (default: the test methods and the audit method). */
  methods?: string[];
  leaseMs?: number;
  heartbeatMs?: number;
  sweepMs?: number;
  pollMs?: number;
  retryBaseMs?: number;
  maxAttempts?: number;
  shutdownGraceMs?: number;
  /** A name for messages. */
  name?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function cliArgs(command: 'worker' | 'serve', o: ProcessOptions): string[] {
  const args = [
    '--import',
    'tsx',
    CLI_ENTRY,
    command,
    '--data-dir',
    o.dataDir,
    '--workers',
    String(o.workers ?? 1),
    '--lease-ms',
    String(o.leaseMs ?? FAST.leaseMs),
    '--heartbeat-ms',
    String(o.heartbeatMs ?? FAST.heartbeatMs),
    '--sweep-ms',
    String(o.sweepMs ?? FAST.sweepMs),
    '--poll-ms',
    String(o.pollMs ?? FAST.pollMs),
    '--safety-poll-ms',
    String(FAST.safetyPollMs),
    '--retry-base-ms',
    String(o.retryBaseMs ?? FAST.retryBaseMs),
  ];
  for (const module of o.methods ?? [TEST_METHODS, AUDIT_METHODS]) args.push('--methods', module);
  if (o.database !== undefined) args.push('--database', o.database);
  if (o.maxAttempts !== undefined) args.push('--max-attempts', String(o.maxAttempts));
  if (o.shutdownGraceMs !== undefined) args.push('--shutdown-grace-ms', String(o.shutdownGraceMs));
  if (command === 'serve') args.push('--host', '127.0.0.1', '--port', '0');
  return args;
}

/** Children still running, SIGKILLed if the test process exits without having ended them. */
const running = new Set<ServiceProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** One child process running the CLI, with its output captured. */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private out = '';
  private err = '';
  private readonly watchers = new Set<() => void>();

  constructor(
    readonly name: string,
    args: string[],
  ) {
    const env = { ...process.env };
    // The flags decide; a variable from the outer environment must not, nor the test runner's context.
    for (const key of ['DATA_DIR', 'DATABASE_URL', 'WORKERS', 'MCRIT_METHODS', 'API_TOKEN', 'HOST', 'PORT', 'NODE_TEST_CONTEXT']) delete env[key];
    this.child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`${name}: could not spawn`);
    this.pid = this.child.pid;
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.out += chunk;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.err += chunk;
      this.notify();
    });
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this);
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  /** Waits until stdout or stderr matches; fails if the process exits first or on timeout. */
  // Generous: a process compiles its TypeScript (tsx) as it starts, slow on a loaded 2-core machine.
  waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.out.match(pattern) ?? this.err.match(pattern);
        if (match) return done(() => resolve(match));
        if (this.exit) return done(() => reject(new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before printing ${pattern}:\n${this.err}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms; stderr:\n${this.err}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        settle();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Sends a signal to this process (by its pid). */
  signal(signal: NodeJS.Signals): void {
    if (this.exit) return;
    try {
      process.kill(this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone
    }
  }

  /** SIGKILL, then waits for the exit. */
  async kill9(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Waits for the exit at most `timeoutMs`; undefined when still running. */
  async waitExit(timeoutMs: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A server process: `serve --port 0`, with the URL it printed. */
export class ServerProcess extends ServiceProcess {
  url = '';
}

/** The processes a test started; `killAll` ends those still running. */
export class ProcessSet {
  readonly all: ServiceProcess[] = [];

  /** Starts `worker` and resolves once it runs (it printed its worker id). */
  async worker(options: ProcessOptions): Promise<ServiceProcess> {
    const name = options.name ?? `worker ${this.all.length + 1}`;
    const worker = new ServiceProcess(name, cliArgs('worker', options));
    this.all.push(worker);
    await worker.waitForOutput(/mcrit-ts worker \S+ running/);
    return worker;
  }

  /** Starts `serve` on an ephemeral port and resolves with its URL once it listens. */
  async server(options: ProcessOptions): Promise<ServerProcess> {
    const name = options.name ?? `server ${this.all.length + 1}`;
    const server = new ServerProcess(name, cliArgs('serve', options));
    this.all.push(server);
    const [, url] = await server.waitForOutput(/listening on (http:\/\/\S+)/);
    server.url = url!;
    return server;
  }

  /** SIGKILLs every process still running and waits for them to exit. */
  async killAll(): Promise<void> {
    await Promise.all(this.all.map((p) => p.kill9()));
  }

  /** Everything the processes wrote to stderr, for failure messages. */
  stderr(): string {
    return this.all.map((p) => `--- ${p.name} (pid ${p.pid}) stderr:\n${p.stderr}`).join('\n');
  }
}

/**
 * Where a test's processes keep the queue: a data folder (SQLite, and the audit log), and with a
 * PostgreSQL URL the database instead of the folder's SQLite file.
 */
export interface QueueLocation {
  dataDir: string;
  database?: string;
}

/** A fresh location on the store the test run is for (MCRIT_TEST_STORE); `remove` deletes it. */
export function newQueueLocation(store = TEST_STORE): QueueLocation & { remove(): Promise<void> } {
  const dir = tempDir();
  const schema = store === 'postgres' ? newTestSchema() : undefined;
  return {
    dataDir: dir.path,
    database: schema?.url,
    async remove() {
      await schema?.drop();
      dir.remove();
    },
  };
}

/**
 * The test's own view of a queue: a store on the same database the processes use, and an engine
 * (with the test and audit methods) to submit jobs through. `store.close()` closes the storage.
 */
export async function openQueue(location: string | QueueLocation): Promise<{ store: JobStore; storage: Storage; engine: JobEngine }> {
  const { dataDir, database } = typeof location === 'string' ? { dataDir: location, database: undefined } : location;
  const storage = await openStorage(storageLocation({ dataDir, database }), { onEventLoop: true });
  const registry = await MethodRegistry.load([TEST_METHODS, AUDIT_METHODS].map(methodModuleUrl));
  return { store: storage.jobs, storage, engine: new JobEngine(storage.jobs, registry) };
}

/** The stored result of a job, decoded. */
export async function resultOf(store: JobStore, resultId: string): Promise<unknown> {
  const result = await store.getResult(resultId);
  return result && JSON.parse(gunzipSync(result.gzipJson).toString('utf8'));
}
