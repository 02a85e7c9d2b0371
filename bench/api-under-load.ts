/**
 * API latency while CPU-heavy jobs run.
 *
 *   node --import tsx bench/api-under-load.ts [--quick]
 *
 * Starts the service (workers: 2, the test methods) on a database pre-filled with ended jobs, then
 * times `GET /jobs/stats`, `GET /jobs?limit=100` and `GET /jobs/{id}` over real HTTP, one request
 * at a time in rounds:
 *   - idle: no job running (the baseline, same run);
 *   - under load: while 2 `cpu` jobs (busy loops in the executor threads) keep both workers busy,
 *     measured only while both are processing.
 * The client runs in the service's process, as the in-process tests do; the main thread's
 * event-loop delay is reported for both phases.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { DEFAULTS } from '../src/config.js';
import { startService } from '../src/service.js';
import {
  QUICK,
  TEST_METHODS,
  fillJobs,
  fmt,
  note,
  printTable,
  progress,
  round,
  roundSummary,
  sleep,
  summarize,
  tempDir,
  timeInRounds,
  writeResults,
  type Summary,
} from './support.js';

const startedAt = new Date();
const PREFILL = QUICK ? 10_000 : 100_000;
const CPU_JOBS = 2;
const CPU_MS = QUICK ? 5_000 : 10_000;
const IDLE_REQUESTS = QUICK ? 200 : 500;
/** Stop measuring this long before the CPU jobs are due to end. */
const LOAD_MARGIN_MS = 500;
const AIM_STATS_P99_MS = 50;

interface PhaseResult {
  latency_ms: Record<string, Summary>;
  event_loop_delay_ms: { p50: number; p99: number; max: number };
  duration_ms: number;
  /** Jobs processing at the end of the phase (2 under load: the load lasted the whole phase). */
  processing_at_end: number;
}

async function main(): Promise<void> {
  progress(`api-under-load: ${CPU_JOBS} cpu jobs of ${CPU_MS} ms, ${PREFILL.toLocaleString('en-US')} ended jobs in the database${QUICK ? ' (--quick)' : ''}`);
  const dir = tempDir();
  try {
    // Ended jobs only: the workers have nothing to claim but the cpu jobs.
    const fill = fillJobs(join(dir.path, 'mcrit.sqlite'), PREFILL, { states: { queued: 0, processing: 0, finished: 95, failed: 5 } });
    progress(`filled ${PREFILL.toLocaleString('en-US')} jobs in ${fmt(fill.fillMs / 1000)} s`);
    const service = await startService({ ...DEFAULTS, dataDir: dir.path, port: 0, workers: CPU_JOBS, methodModules: [TEST_METHODS] });
    const stats = async () =>
      ((await fetch(`${service.url}/jobs/stats`).then((r) => r.json())) as { data: { processing: number; finished: number } }).data;
    const ids = fill.sampleIds;
    const targets = [
      { name: 'GET /jobs/stats', url: `${service.url}/jobs/stats` },
      { name: 'GET /jobs?limit=100', url: `${service.url}/jobs?limit=100` },
      { name: 'GET /jobs/{id}', url: (i: number) => `${service.url}/jobs/${ids[i % ids.length]}` },
    ];
    const phase = async (count: number, until?: () => boolean): Promise<PhaseResult> => {
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const start = performance.now();
      const timed = await timeInRounds(targets, { count, until });
      const duration = performance.now() - start;
      loop.disable();
      const latency: Record<string, Summary> = {};
      for (const [name, t] of timed) latency[name] = roundSummary(summarize(t.samples));
      return {
        latency_ms: latency,
        event_loop_delay_ms: {
          p50: round(loop.percentile(50) / 1e6),
          p99: round(loop.percentile(99) / 1e6),
          max: round(loop.max / 1e6),
        },
        duration_ms: round(duration, 0),
        processing_at_end: (await stats()).processing,
      };
    };

    let idle: PhaseResult;
    let load: PhaseResult;
    try {
      progress('idle');
      idle = await phase(IDLE_REQUESTS);

      progress(`under load: submitting ${CPU_JOBS} cpu jobs of ${CPU_MS} ms`);
      const submitted = performance.now();
      for (let i = 0; i < CPU_JOBS; i++) await service.engine.submit({ method: 'cpu', parameters: { ms: CPU_MS, i } });
      while ((await stats()).processing < CPU_JOBS) {
        if (performance.now() - submitted > 30_000) throw new Error('the cpu jobs did not start within 30 s');
        await sleep(10);
      }
      // The jobs' busy loops start after they are submitted, so they end after this.
      const loadEnd = submitted + CPU_MS - LOAD_MARGIN_MS;
      load = await phase(Number.MAX_SAFE_INTEGER, () => performance.now() >= loadEnd);

      progress('waiting for the cpu jobs to finish');
      while ((await stats()).finished < fill.counts.finished + CPU_JOBS) {
        if (performance.now() - submitted > CPU_MS + 60_000) throw new Error('the cpu jobs did not finish');
        await sleep(50);
      }
    } finally {
      await service.stop();
    }

    const rows = targets.map((t) => {
      const i = idle.latency_ms[t.name]!;
      const l = load.latency_ms[t.name]!;
      return [t.name, i.n, i.p50, i.p99, i.max, l.n, l.p50, l.p99, l.max, l.p50 / i.p50, l.p99 / i.p99];
    });
    printTable(
      `API latency, ms: idle vs while ${CPU_JOBS} cpu jobs keep both workers busy (${availableParallelism()} cores; one request at a time)`,
      ['request', 'idle n', 'idle p50', 'idle p99', 'idle max', 'load n', 'load p50', 'load p99', 'load max', 'p50 x idle', 'p99 x idle'],
      [
        ...rows,
        [
          'event-loop delay of the service',
          null,
          idle.event_loop_delay_ms.p50,
          idle.event_loop_delay_ms.p99,
          idle.event_loop_delay_ms.max,
          null,
          load.event_loop_delay_ms.p50,
          load.event_loop_delay_ms.p99,
          load.event_loop_delay_ms.max,
          load.event_loop_delay_ms.p50 / idle.event_loop_delay_ms.p50,
          load.event_loop_delay_ms.p99 / idle.event_loop_delay_ms.p99,
        ],
      ],
    );
    const statsUnderLoad = load.latency_ms['GET /jobs/stats']!;
    const meets = statsUnderLoad.p99 < AIM_STATS_P99_MS;
    note(
      `\naim: p99 of GET /jobs/stats under load < ${AIM_STATS_P99_MS} ms: ${meets ? 'met' : 'MISSED'} (${fmt(statsUnderLoad.p99)} ms).` +
        ` Load phase: ${fmt(load.duration_ms / 1000)} s, ${load.processing_at_end} jobs still processing at its end.`,
    );
    const path = writeResults(
      'api-under-load',
      {
        prefilled_jobs: PREFILL,
        cpu_jobs: CPU_JOBS,
        cpu_ms: CPU_MS,
        workers: CPU_JOBS,
        aim_stats_p99_ms: AIM_STATS_P99_MS,
        meets_aim: meets,
        client: 'Node fetch (undici), keep-alive, one request at a time, in the service process',
        idle,
        load,
      },
      startedAt,
    );
    note(`results: ${path}`);
  } finally {
    dir.remove();
  }
}

await main();
