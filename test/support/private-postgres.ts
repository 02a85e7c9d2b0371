import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of a test's own (initdb into a temporary folder, on a free port, its socket
 * in that folder), for faults that must not touch the shared server: stopping and restarting it.
 * As root, the server programs run as the `postgres` user (initdb refuses root).
 */
const BIN = '/usr/lib/postgresql/15/bin';

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) return `no ${BIN}/initdb or pg_ctl`;
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root without a postgres user';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class PrivateCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** trust auth for the superuser `postgres`, database `postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private static run(args: string[]): string {
    const [program, ...rest] = args;
    const asPostgres = process.getuid?.() === 0;
    const command = asPostgres ? ['runuser', '-u', 'postgres', '--', join(BIN, program!), ...rest] : [join(BIN, program!), ...rest];
    return execFileSync(command[0]!, command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  static async create(): Promise<PrivateCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mcrit-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
    PrivateCluster.run(['initdb', '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const cluster = new PrivateCluster(dir, await freePort());
    cluster.start();
    return cluster;
  }

  /** Starts the server and waits until it accepts connections. */
  start(): void {
    PrivateCluster.run([
      'pg_ctl', '-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '30',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      'start',
    ]);
  }

  /** `fast`: rolls back open transactions and closes every connection, as a restart does. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    PrivateCluster.run(['pg_ctl', '-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
