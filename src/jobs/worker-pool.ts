import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { StorageLocation } from '../storage/storage.js';
import type { JobStore } from '../storage/store.js';
import type { ExecutorData, ExecutorMessage, RunMessage } from './executor-protocol.js';
import type { ClaimedJob, Fence, RetryBackoff } from './types.js';

export interface WorkerPoolOptions {
  /** Executor threads, i.e. jobs run at once. */
  concurrency: number;
  /** How long a claimed job stays ours without a heartbeat. */
  leaseMs: number;
  /** How often leases are renewed; also how soon a job deleted elsewhere is stopped. */
  heartbeatMs: number;
  /** How often expired leases (of any worker) are reclaimed. */
  sweepMs: number;
  /** How often an idle pool looks for work that was not announced to it (a store without `onRunnable`). */
  pollMs: number;
  /** The same for a store that announces work (`JobStore.onRunnable`): retries whose backoff expired, and a safety net. */
  safetyPollMs: number;
  /** How often reported progress is written. */
  progressWriteMs: number;
  backoff: RetryBackoff;
  /** Where executor threads open their own connection. */
  storage: StorageLocation;
  methodModuleUrls: string[];
  methods: string[];
  workerId?: string;
  log?: (message: string) => void;
}

interface RunningJob {
  job: ClaimedJob;
  fence: Fence;
  /** Its outcome is being written: the lease no longer needs renewing. */
  finishing?: boolean;
  /** Progress reported by the thread and not yet written. */
  unwrittenProgress?: number;
}

interface Slot {
  thread: Worker;
  ready: Promise<void>;
  running?: RunningJob;
}

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
const EXECUTOR_URL = new URL(`./executor-thread${RUNNING_FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts an executor thread. Built code runs the thread's module directly; when running from the
 * TypeScript sources (tests, benchmarks), threads do not inherit tsx's loader, so the thread
 * registers it before importing the module.
 */
function newExecutorThread(data: ExecutorData): Worker {
  if (!RUNNING_FROM_SOURCE) return new Worker(EXECUTOR_URL, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(EXECUTOR_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/**
 * Claims jobs and runs them in executor threads. The pool itself (claiming, heartbeats, sweeping,
 * writing results) runs on the caller's event loop; job code never does.
 */
export class WorkerPool {
  readonly workerId: string;
  private readonly slots: Slot[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  /** A wake-up came while the claim loop was not idle (claiming): its next idle returns at once. */
  private wokenWhileBusy = false;
  private loopDone: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly log: (message: string) => void;

  constructor(
    private readonly store: JobStore,
    private readonly options: WorkerPoolOptions,
  ) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = options.log ?? ((message) => console.error(message));
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.options.concurrency; i++) this.slots.push(this.spawnSlot());
    await Promise.all(this.slots.map((slot) => slot.ready));
    this.every(this.options.heartbeatMs, () => this.renewLeases());
    this.every(this.options.sweepMs, () => this.reclaimExpired());
    this.every(this.options.progressWriteMs, () => this.writeProgress());
    this.unsubscribe = this.store.onRunnable?.(() => this.wake());
    this.loopDone = this.claimLoop();
  }

  /** Something may be runnable: look now instead of at the next poll. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    if (wakeUp) wakeUp();
    else this.wokenWhileBusy = true;
  }

  /** Renews leases now, stopping jobs whose lease is gone (deleted or reclaimed). */
  async renewLeases(): Promise<void> {
    const running = this.slots.filter((slot) => slot.running && !slot.running.finishing);
    if (running.length === 0) return;
    const lost = await this.store.renewLeases(
      running.map((slot) => slot.running!.fence),
      this.options.leaseMs,
      Date.now(),
    );
    for (const fence of lost) {
      // A job whose outcome is being written has ended: its thread is idle, nothing to stop.
      const slot = this.slots.find((s) => s.running?.fence === fence && !s.running.finishing);
      if (slot) this.stopJob(slot, `lease of job ${slot.running!.job.id} lost (deleted or reclaimed); stopped`);
    }
  }

  get runningJobIds(): string[] {
    return this.slots.flatMap((slot) => (slot.running ? [slot.running.job.id] : []));
  }

  /**
   * Stops claiming, waits up to `graceMs` for running jobs to end, then hands the rest back to the
   * queue (their attempt not counted) and ends the threads.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.loopDone;
    const deadline = Date.now() + graceMs;
    while (this.slots.some((slot) => slot.running) && Date.now() < deadline) await sleep(20);
    for (const timer of this.timers) clearInterval(timer);
    for (const slot of this.slots) {
      const running = slot.running;
      slot.running = undefined;
      await slot.thread.terminate();
      if (running && (await this.store.handBack(running.fence, Date.now()))) {
        this.log(`handed job ${running.job.id} back to the queue`);
      }
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // timers go on while stopping: running jobs keep their leases during the grace period
      busy = true;
      task()
        .catch((error) => this.log(`worker ${this.workerId}: ${String(error)}`))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async claimLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const idle = this.slots.filter((slot) => !slot.running);
      let claimed: ClaimedJob[] = [];
      if (idle.length > 0) {
        try {
          claimed = await this.store.claim(this.workerId, this.options.methods, idle.length, this.options.leaseMs, Date.now());
          failures = 0;
        } catch (error) {
          // The database is unavailable or busy: suspend with capped backoff, never die.
          failures++;
          this.log(`worker ${this.workerId}: claim failed (${String(error)}); retrying`);
          await this.idle(Math.min(5_000, 50 * 2 ** failures));
          continue;
        }
        claimed.forEach((job, i) => this.dispatch(idle[i]!, job));
      }
      if (claimed.length < idle.length || idle.length === 0) await this.idle(this.idlePollMs);
    }
  }

  private get idlePollMs(): number {
    return this.store.onRunnable ? this.options.safetyPollMs : this.options.pollMs;
  }

  private idle(ms: number): Promise<void> {
    if (this.wokenWhileBusy) {
      // e.g. a job announced after the claim's snapshot was taken: look again now.
      this.wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private dispatch(slot: Slot, job: ClaimedJob): void {
    const running: RunningJob = { job, fence: { jobNumber: job.jobNumber, claim: job.claim } };
    slot.running = running;
    void this.send(slot, running).catch(async (error) => {
      if (slot.running === running) await this.finish(slot, running, String(error));
    });
  }

  private async send(slot: Slot, running: RunningJob): Promise<void> {
    const { job } = running;
    let input: Uint8Array | null = null;
    if (job.inputSha256) {
      const stored = await this.store.readInput(job.inputSha256);
      if (!stored) throw new Error(`input ${job.inputSha256} of job ${job.id} is missing`);
      input = new Uint8Array(stored); // own buffer, transferable
    }
    if (slot.running !== running) return;
    const message: RunMessage = {
      type: 'run',
      jobId: job.id,
      jobNumber: job.jobNumber,
      claim: job.claim,
      attempt: job.attempt,
      method: job.method,
      parameters: job.parameters,
      input,
    };
    slot.thread.postMessage(message, input ? [input.buffer as ArrayBuffer] : []);
  }

  private spawnSlot(): Slot {
    const slot = {} as Slot;
    this.startThread(slot);
    return slot;
  }

  /** Gives the slot a new executor thread; `slot.ready` resolves once it has loaded the methods. */
  private startThread(slot: Slot): void {
    const data: ExecutorData = { methodModuleUrls: this.options.methodModuleUrls, storage: this.options.storage };
    const thread = newExecutorThread(data);
    slot.thread = thread;
    slot.ready = new Promise<void>((resolve, reject) => {
      thread.once('error', reject);
      thread.on('message', (message: ExecutorMessage) => {
        if (message.type === 'ready') {
          thread.off('error', reject);
          resolve();
        } else if (slot.thread === thread) void this.onMessage(slot, message);
      });
    });
    slot.ready.catch(() => undefined); // a thread that cannot start is reported by start() or by its death
    thread.on('error', (error) => void this.onThreadDeath(slot, thread, `executor thread crashed: ${error.stack ?? error}`));
    thread.on('exit', (code) => void this.onThreadDeath(slot, thread, `executor thread exited with code ${code}`));
  }

  /** A crashed thread fails its attempt (also while stopping: the crash must count) and is replaced. */
  private async onThreadDeath(slot: Slot, thread: Worker, reason: string): Promise<void> {
    if (slot.thread !== thread) return;
    const running = slot.running;
    if (!this.stopping) this.replaceThread(slot);
    if (running) await this.finish(slot, running, reason);
  }

  private replaceThread(slot: Slot): void {
    const old = slot.thread;
    this.startThread(slot);
    void old.terminate();
  }

  private async onMessage(slot: Slot, message: ExecutorMessage): Promise<void> {
    const running = slot.running;
    if (message.type === 'ready' || !running) return;
    if (message.jobNumber !== running.fence.jobNumber || message.claim !== running.fence.claim) return;
    if (message.type === 'progress') running.unwrittenProgress = message.fraction;
    else if (message.type === 'failed') await this.finish(slot, running, message.error, message.permanent);
    else if (message.type === 'done') await this.complete(slot, running, message.gzipJson);
    else {
      if (!message.accepted) this.log(`refused the late result of job ${running.job.id} claim ${running.fence.claim}`);
      this.release(slot, running);
    }
  }

  /** Stores the result and finishes the job (fenced: refused if it was deleted or reclaimed), then frees the slot. */
  private async complete(slot: Slot, running: RunningJob, gzipJson: Uint8Array): Promise<void> {
    const { fence, job } = running;
    running.finishing = true;
    try {
      if (!(await this.store.complete(fence, gzipJson, Date.now()))) {
        this.log(`refused the late result of job ${job.id} claim ${fence.claim}`);
      }
    } catch (failure) {
      // The lease will expire and the sweeper reclaims the job: nothing is lost.
      this.log(`worker ${this.workerId}: could not record the result of job ${job.id}: ${String(failure)}`);
    } finally {
      this.release(slot, running);
    }
  }

  /** Records a failed attempt (fenced: refused if the job was deleted or reclaimed) and frees the slot. */
  private async finish(slot: Slot, running: RunningJob, error: string, permanent = false): Promise<void> {
    const { fence, job } = running;
    running.finishing = true;
    try {
      const outcome = await this.store.fail(fence, error, this.options.backoff, Date.now(), permanent);
      if (outcome === 'refused') this.log(`refused the late failure of job ${job.id} claim ${fence.claim}`);
    } catch (failure) {
      // The lease will expire and the sweeper reclaims the job: nothing is lost.
      this.log(`worker ${this.workerId}: could not record the failure of job ${job.id}: ${String(failure)}`);
    } finally {
      this.release(slot, running);
    }
  }

  private release(slot: Slot, running: RunningJob): void {
    if (slot.running === running) slot.running = undefined;
    this.wake();
  }

  /**
   * Terminates the thread running a job whose lease we no longer hold; nothing of it is written.
   * Does not wait for the replacement thread: the heartbeat of the other jobs must go on.
   */
  private stopJob(slot: Slot, reason: string): void {
    slot.running = undefined;
    this.log(reason);
    this.replaceThread(slot);
    slot.ready.then(
      () => this.wake(),
      () => undefined,
    );
  }

  private async reclaimExpired(): Promise<void> {
    const reclaimed = await this.store.reclaimExpiredLeases(this.options.backoff, Date.now());
    if (reclaimed > 0) {
      this.log(`reclaimed ${reclaimed} job(s) whose lease expired`);
      this.wake();
    }
  }

  private async writeProgress(): Promise<void> {
    for (const slot of this.slots) {
      const running = slot.running;
      if (running?.unwrittenProgress === undefined) continue;
      const fraction = running.unwrittenProgress;
      running.unwrittenProgress = undefined;
      await this.store.reportProgress(running.fence, fraction);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
