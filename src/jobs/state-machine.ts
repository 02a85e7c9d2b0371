import type { JobState } from './types.js';

/**
 * The job state machine. Every state change the store makes is one of these transitions, and each
 * store statement that changes a state names its transition's source state in its WHERE clause, so
 * a change that is not listed here cannot happen.
 *
 *   enqueue ──▶ queued ──claim──▶ processing ──complete──▶ finished
 *                  ▲                  │
 *                  └─retry / reclaim──┤ (attempts left; the lease expired; handed back on shutdown)
 *                                     └──fail / reclaim──▶ failed (no attempts left; fail: or a permanent error)
 *
 * Deleting a job removes it in any state; a processing job is thereby cancelled (its fence no
 * longer matches, so its worker's writes are refused and the worker stops it).
 */
export type Transition =
  | 'claim' // queued → processing, one attempt used
  | 'complete' // processing → finished, result stored
  | 'retry' // processing → queued after a failed attempt, attempts left, after backoff
  | 'fail' // processing → failed, no attempts left or an error running again cannot fix
  | 'handBack' // processing → queued when a worker shuts down, the attempt is not counted
  | 'reclaim'; // processing → queued or failed when the lease expired, the attempt stays used

export const TRANSITION_STATES: Record<Transition, { from: JobState; to: readonly JobState[] }> = {
  claim: { from: 'queued', to: ['processing'] },
  complete: { from: 'processing', to: ['finished'] },
  retry: { from: 'processing', to: ['queued'] },
  fail: { from: 'processing', to: ['failed'] },
  handBack: { from: 'processing', to: ['queued'] },
  reclaim: { from: 'processing', to: ['queued', 'failed'] },
};

export const ENDED_STATES: readonly JobState[] = ['finished', 'failed'];

export function isEnded(state: JobState): boolean {
  return ENDED_STATES.includes(state);
}

/** May a job in state `from` move to `to`? */
export function isAllowedTransition(from: JobState, to: JobState): boolean {
  return Object.values(TRANSITION_STATES).some((t) => t.from === from && t.to.includes(to));
}
