import pg from 'pg';
import type { PgTarget } from './connection.js';

/** The channel on which the jobs of a schema announce that one became claimable (see migrations.ts). */
export const runnableChannel = (schema: string): string => `mcrit_runnable:${schema}`;

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * LISTENs for runnable jobs on a connection of its own and tells the subscribers (idle worker
 * pools), so that they claim at once instead of polling fast. The connection is opened with the
 * first subscriber and re-opened after any loss with capped backoff; each (re)connection also tells
 * the subscribers, since announcements made while it was down are lost.
 */
export class RunnableJobsListener {
  private readonly subscribers = new Set<() => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: PgTarget,
    private readonly log: (message: string) => void,
  ) {}

  subscribe(listener: () => void): () => void {
    this.subscribers.add(listener);
    if (!this.client && !this.reconnectTimer) void this.connect();
    return () => this.subscribers.delete(listener);
  }

  private announce(): void {
    for (const listener of this.subscribers) listener();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.target.connectionString,
      application_name: `mcrit-ts listener ${this.target.schema}`.slice(0, 63),
    });
    this.client = client;
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.log(`PostgreSQL: notification connection lost (${reason}); reconnecting`);
      this.scheduleReconnect();
    };
    client.on('error', (error) => onLost(error.message));
    client.on('end', () => onLost('closed'));
    client.on('notification', () => this.announce());
    try {
      await client.connect();
      // A quoted identifier: the channel name holds a ':'. The schema name is checked (connection.ts).
      await client.query(`LISTEN "${runnableChannel(this.target.schema)}"`);
      this.reconnectDelay = RECONNECT_MIN_MS;
      this.announce();
    } catch (error) {
      onLost((error as Error).message);
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
