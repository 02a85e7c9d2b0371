#!/usr/bin/env node
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, type ServiceConfig } from '../config.js';
import { createWorkerPool, databasePath, loadRegistry, openServiceStorage, startService, storageLocation } from '../service.js';
import { migrateStorage } from '../storage/open-storage.js';
import { exportCollection, importCollection } from '../storage/collection-transfer.js';
import { parseDatabaseUrl } from '../storage/postgres/connection.js';
import { VERSION } from '../version.js';
import { addDisassembleCommand } from './disassemble-command.js';
import { ProgressBar } from './progress-bar.js';

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

/** An empty value (DATABASE_URL=) means none: SQLite. */
function databaseUrl(value: string): string | undefined {
  if (value === '') return undefined;
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

/** Where the data is: SQLite in a folder, or PostgreSQL. */
function withStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'folder of the SQLite database').env('DATA_DIR').default(DEFAULTS.dataDir))
    .addOption(new Option('--database <url>', 'a PostgreSQL database instead').env('DATABASE_URL').argParser(databaseUrl));
}

/** Options shared by `serve` and `worker`; each flag has an environment variable. */
function withCommonOptions(command: Command): Command {
  return withStoreOptions(command)
    .addOption(
      new Option('--workers <n>', 'executor threads (jobs at once) in this process')
        .env('WORKERS')
        .argParser(nonNegativeInteger)
        .default(DEFAULTS.workers),
    )
    .addOption(
      new Option('--methods <modules>', 'extra job method modules (paths or URLs, comma-separated or repeated)')
        .env('MCRIT_METHODS')
        .argParser(collect)
        .default([]),
    )
    .addOption(new Option('--lease-ms <ms>', 'lease of a claimed job').argParser(nonNegativeInteger).default(DEFAULTS.leaseMs))
    .addOption(new Option('--heartbeat-ms <ms>', 'lease renewal interval').argParser(nonNegativeInteger).default(DEFAULTS.heartbeatMs))
    .addOption(new Option('--sweep-ms <ms>', 'expired-lease sweep interval').argParser(nonNegativeInteger).default(DEFAULTS.sweepMs))
    .addOption(new Option('--poll-ms <ms>', 'idle poll interval (SQLite)').argParser(nonNegativeInteger).default(DEFAULTS.pollMs))
    .addOption(
      new Option('--safety-poll-ms <ms>', 'idle poll interval when new jobs are announced (PostgreSQL LISTEN/NOTIFY)')
        .argParser(nonNegativeInteger)
        .default(DEFAULTS.safetyPollMs),
    )
    .addOption(new Option('--retry-base-ms <ms>', 'backoff after the first failed attempt').argParser(nonNegativeInteger).default(DEFAULTS.retryBaseMs))
    .addOption(new Option('--max-attempts <n>', 'attempts of a job before it fails').argParser(nonNegativeInteger).default(DEFAULTS.maxAttempts))
    .addOption(
      new Option('--shutdown-grace-ms <ms>', 'on SIGTERM, wait this long for running jobs before handing them back')
        .argParser(nonNegativeInteger)
        .default(DEFAULTS.shutdownGraceMs),
    );
}

interface CommonFlags {
  dataDir: string;
  database?: string;
  workers: number;
  methods: string[];
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
  pollMs: number;
  safetyPollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  shutdownGraceMs: number;
}

function configFrom(flags: CommonFlags & Partial<ServiceConfig>): ServiceConfig {
  const methods = typeof flags.methods === 'string' ? collect(flags.methods, []) : flags.methods;
  return {
    ...DEFAULTS,
    ...flags,
    dataDir: resolve(flags.dataDir),
    methodModules: methods,
  };
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: finishing or handing back running jobs`);
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

const program = new Command('mcrit-ts').version(VERSION).description('Binary code similarity service');

withCommonOptions(
  program
    .command('serve')
    .description('run the HTTP API with in-process workers')
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default(DEFAULTS.host))
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').argParser(nonNegativeInteger).default(DEFAULTS.port))
    .addOption(new Option('--api-token <token>', 'require this token on every request').env('API_TOKEN'))
    .option('--log', 'log every request', false),
).action(async (flags: CommonFlags & { host: string; port: number; apiToken?: string; log: boolean }) => {
  const config = configFrom({ ...flags, logRequests: flags.log });
  const service = await startService(config);
  const data = config.database ? 'PostgreSQL' : config.dataDir;
  console.log(`mcrit-ts ${VERSION} listening on ${service.url} (data: ${data}, workers: ${config.workers})`);
  onSignals(() => service.stop());
});

withCommonOptions(program.command('worker').description('run workers only, against the same database as a server')).action(
  async (flags: CommonFlags) => {
    const config = configFrom(flags);
    const storage = await openServiceStorage(config);
    const registry = await loadRegistry(config);
    const pool = createWorkerPool(storage, registry, { ...config, workers: Math.max(1, config.workers) });
    await pool.start();
    console.log(`mcrit-ts worker ${pool.workerId} running ${registry.names.join(', ') || 'no methods'}`);
    onSignals(async () => {
      await pool.stop(config.shutdownGraceMs);
      await storage.close();
    });
  },
);

addDisassembleCommand(program);

withStoreOptions(
  program
    .command('migrate')
    .description('bring the database schema up to date (every start does it too; safe while other processes run)'),
)
  .action(async (flags: { dataDir: string; database?: string }) => {
    const config = { dataDir: resolve(flags.dataDir), database: flags.database };
    if (!config.database) mkdirSync(config.dataDir, { recursive: true });
    const { applied, current } = await migrateStorage(storageLocation(config));
    const where = config.database ? 'PostgreSQL' : databasePath(config.dataDir);
    console.log(applied.length ? `${where}: applied migrations ${applied.join(', ')}; now at version ${current}` : `${where}: up to date at version ${current}`);
  });

withStoreOptions(
  program
    .command('export')
    .description('write the samples, functions and labels to a file (JSON lines), hashes included')
    .requiredOption('--out <file>', 'the file to write'),
).action(async (flags: { dataDir: string; database?: string; out: string }) => {
  const storage = await openServiceStorage({ dataDir: resolve(flags.dataDir), database: flags.database });
  const out = createWriteStream(flags.out);
  const bar = new ProgressBar('exporting');
  try {
    const counts = await exportCollection(
      storage.samples,
      (line) => {
        if (!out.write(`${line}\n`)) return once(out, 'drain').then(() => undefined);
      },
      (written, total) => bar.update(total > 0 ? written / total : 1, `${written} of ${total} samples`),
    );
    bar.done(`${counts.samples} samples`);
    await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
    console.log(`exported ${counts.samples} samples with ${counts.functions} functions to ${flags.out}`);
  } finally {
    await storage.close();
  }
});

withStoreOptions(
  program
    .command('import')
    .description('add the samples of an export file (samples already stored are skipped; nothing is rehashed)')
    .requiredOption('--in <file>', 'the file to read'),
).action(async (flags: { dataDir: string; database?: string; in: string }) => {
  const storage = await openServiceStorage({ dataDir: resolve(flags.dataDir), database: flags.database });
  try {
    const input = createReadStream(flags.in);
    const size = statSync(flags.in).size;
    const bar = new ProgressBar('importing');
    input.on('data', () => bar.update(size > 0 ? input.bytesRead / size : 1, `${(input.bytesRead / 2 ** 20).toFixed(1)} of ${(size / 2 ** 20).toFixed(1)} MB`));
    const counts = await importCollection(storage.samples, createInterface({ input, crlfDelay: Infinity }));
    bar.done(`${counts.samples + counts.skipped} samples`);
    console.log(`imported ${counts.samples} samples with ${counts.functions} functions; skipped ${counts.skipped} already stored`);
  } finally {
    await storage.close();
  }
});

await program.parseAsync(process.argv);
