/**
 * Waiting for SQLite's write lock without blocking the event loop.
 *
 * better-sqlite3 is synchronous: its busy timeout waits inside the call, freezing the whole thread.
 * The server's connection therefore uses a short busy timeout and retries here, asynchronously,
 * while an executor thread holds the lock for a long transaction (measured: storing or deleting a
 * 100k-function family holds it for 6-8 s; with a 10 s busy timeout the HTTP server stood still
 * as long).
 */

/** Busy timeout of connections on an event loop that serves requests (server, worker pool). */
export const EVENT_LOOP_BUSY_TIMEOUT_MS = 20;
/** Busy timeout of executor threads, which have nothing else to do while they wait. */
export const THREAD_BUSY_TIMEOUT_MS = 10_000;
/** How long a write keeps retrying before it gives up with SQLITE_BUSY. */
const RETRY_DEADLINE_MS = 60_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export async function retryWhileBusy<T>(write: () => T): Promise<T> {
  const deadline = Date.now() + RETRY_DEADLINE_MS;
  let pause = 2;
  for (;;) {
    try {
      return write();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(50, pause * 2);
  }
}
