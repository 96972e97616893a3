/**
 * Job state kept where a restarted service worker, and a restarted browser, find it (IndexedDB,
 * its own small database), with every change made through one queue so concurrent messages never
 * overwrite each other. Jobs still running when the browser stopped are resumed from it
 * (`jobsToResume`).
 */
import { Dexie, type Table } from 'dexie';
import type { JobState } from './jobs';

export interface KeyValueArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** A key-value area in IndexedDB (the shape of `storage.session`, which a browser restart empties). */
export function indexedDbArea(name = 'workflow-exporter-jobs'): KeyValueArea {
  const db = new Dexie(name);
  db.version(1).stores({ kv: 'key' });
  const kv = (db as Dexie & { kv: Table<{ key: string; value: unknown }, string> }).kv;
  return {
    async get(key) {
      const row = await kv.get(key);
      return row ? { [key]: row.value } : {};
    },
    async set(items) {
      await kv.bulkPut(Object.entries(items).map(([key, value]) => ({ key, value })));
    },
  };
}

/**
 * The jobs to start again: running or queued here, but not running on the engine host (`active`:
 * the host's running jobs; none when the browser or the extension restarted).
 */
export const jobsToResume = (jobs: readonly JobState[], active: readonly string[]) =>
  jobs.filter((j) => (j.phase === 'running' || j.phase === 'queued') && !active.includes(j.id));

const KEY = 'jobs';
/** Finished jobs kept for the UI. */
const KEEP_FINISHED = 20;

export class JobStore {
  private jobs: Map<string, JobState> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly area: KeyValueArea) {}

  private async load(): Promise<Map<string, JobState>> {
    if (!this.jobs) {
      const stored = ((await this.area.get(KEY))[KEY] as JobState[] | undefined) ?? [];
      this.jobs = new Map(stored.map((j) => [j.id, j]));
    }
    return this.jobs;
  }

  /** Runs `fn` alone; `persist` false skips the write (for frequent progress). */
  private serial<T>(fn: (jobs: Map<string, JobState>) => T | Promise<T>, persist = true): Promise<T> {
    const next = this.queue.then(async () => {
      const jobs = await this.load();
      const out = await fn(jobs);
      if (persist) await this.save(jobs);
      return out;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private async save(jobs: Map<string, JobState>) {
    const all = [...jobs.values()].sort((a, b) => b.startedAt - a.startedAt);
    const active = all.filter((j) => j.phase === 'queued' || j.phase === 'running' || j.phase === 'saving');
    const finished = all.filter((j) => !active.includes(j)).slice(0, KEEP_FINISHED);
    const kept = [...active, ...finished];
    this.jobs = new Map(kept.map((j) => [j.id, j]));
    await this.area.set({ [KEY]: kept });
  }

  get = (id: string) => this.serial((jobs) => jobs.get(id), false);
  list = () => this.serial((jobs) => [...jobs.values()].sort((a, b) => b.startedAt - a.startedAt), false);
  find = (pred: (j: JobState) => boolean) => this.serial((jobs) => [...jobs.values()].find(pred), false);
  put = (job: JobState) => this.serial((jobs) => void jobs.set(job.id, job));

  /** Applies `change` to job `id` (if it exists) and returns the new state. */
  update = (id: string, change: (j: JobState) => void, persist = true) =>
    this.serial((jobs) => {
      const job = jobs.get(id);
      if (job) change(job);
      return job ? structuredClone(job) : undefined;
    }, persist);
}
