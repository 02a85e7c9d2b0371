import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobStore } from '../../src/storage/store.js';

/** Reading the audit files written by the `audit` job method (test/support/audit-methods.ts). */

export const AUDIT_METHODS = fileURLToPath(new URL('./audit-methods.ts', import.meta.url));

export interface AuditEvent {
  jobId: string;
  attempt: number;
  pid: number;
  threadId: number;
  event: string;
  time: number;
}

export function readAudit(path: string): AuditEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [jobId, attempt, pid, threadId, event, time] = line.split(' ');
      return { jobId: jobId!, attempt: Number(attempt), pid: Number(pid), threadId: Number(threadId), event: event!, time: Number(time) };
    });
}

/** What the audit file says about one job. */
export interface JobAudit {
  starts: AuditEvent[];
  ends: AuditEvent[];
  ticks: AuditEvent[];
  failures: AuditEvent[];
}

export function auditByJob(events: readonly AuditEvent[]): Map<string, JobAudit> {
  const byJob = new Map<string, JobAudit>();
  for (const event of events) {
    let audit = byJob.get(event.jobId);
    if (!audit) byJob.set(event.jobId, (audit = { starts: [], ends: [], ticks: [], failures: [] }));
    if (event.event === 'start') audit.starts.push(event);
    else if (event.event === 'end') audit.ends.push(event);
    else if (event.event === 'tick') audit.ticks.push(event);
    else audit.failures.push(event);
  }
  return byJob;
}

export function auditOf(path: string, jobId: string): JobAudit {
  return auditByJob(readAudit(path)).get(jobId) ?? { starts: [], ends: [], ticks: [], failures: [] };
}

/** The counts every reliability test prints. `lost` = submitted, not deliberately deleted, and not ended. */
export interface JobCounts {
  submitted: number;
  finished: number;
  failed: number;
  deleted: number;
  lost: number;
}

export async function countJobs(store: JobStore, ids: readonly string[], deleted: ReadonlySet<string> = new Set()): Promise<JobCounts> {
  const counts: JobCounts = { submitted: ids.length, finished: 0, failed: 0, deleted: 0, lost: 0 };
  for (const id of ids) {
    const job = await store.getJob(id);
    if (deleted.has(id)) {
      counts.deleted++;
      if (job) counts.lost++; // a deleted job that is still there is a defect too
    } else if (job?.state === 'finished') counts.finished++;
    else if (job?.state === 'failed') counts.failed++;
    else counts.lost++;
  }
  return counts;
}

export function formatCounts(label: string, c: JobCounts): string {
  return `${label}: submitted=${c.submitted} finished=${c.finished} failed=${c.failed} deleted=${c.deleted} lost=${c.lost}`;
}

/** Prints the counts as a diagnostic of the test (a `# …` line in the runner's output). */
export function reportCounts(t: { diagnostic(message: string): void }, label: string, counts: JobCounts): void {
  t.diagnostic(formatCounts(label, counts));
}
