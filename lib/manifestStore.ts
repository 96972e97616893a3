/**
 * Where the manifests of exports live (issue 16.2): IndexedDB database `workflow-exporter-manifests`
 * of the extension's origin, apart from the history's database so that neither schema waits on the
 * other. The engine (a Web Worker of that origin) writes a manifest when its archive is complete,
 * unmarked; the background marks it complete once the job is `done` (its download completed,
 * lib/storage.ts `recordJob`), and drops it when the job failed or was cancelled. A manifest never
 * travels in a runtime message (500,000 files).
 *
 * Kept (decision): per target (kind, origin, workflow, order) only the newest complete manifest, the
 * one a delta is made against; older ones go when a newer one is marked complete.
 */
import { Dexie, type Table } from 'dexie';
import type { ExportKind } from './jobs';
import { FileIndex, SubmissionIndex } from './deltaManifest';

export const MANIFEST_DB_NAME = 'workflow-exporter-manifests';

export interface ManifestRecord {
  jobId: string;
  kind: ExportKind;
  origin: string;
  workflowId: string;
  orderId: string | null;
  /** {@link manifestTarget}: what a delta compares by. */
  target: string;
  /** The job's start (epoch ms; the background sets the job's own when it marks it complete). */
  startedAt: number;
  /** 1 once the job is `done` (a number: IndexedDB does not index booleans). */
  complete: 0 | 1;
  fileCount: number;
  submissionCount: number;
  /** lib/deltaManifest.ts binary forms. */
  files?: Uint8Array;
  submissions?: Uint8Array;
}

/** What the dialogs show of the last complete export (no content). */
export interface ManifestSummary {
  jobId: string;
  startedAt: number;
  fileCount: number;
  submissionCount: number;
}

/** The export kinds a delta exists for. */
export const DELTA_KINDS = ['case-files', 'annotated-case-files', 'csv'] as const satisfies readonly ExportKind[];
export type DeltaKind = (typeof DELTA_KINDS)[number];
export const isDeltaKind = (k: string): k is DeltaKind => (DELTA_KINDS as readonly string[]).includes(k);

export const manifestTarget = (kind: ExportKind, origin: string, workflowId: string, orderId: string | null): string =>
  JSON.stringify([kind, origin.replace(/\/+$/, ''), workflowId, orderId ?? null]);

export class ManifestDb extends Dexie {
  manifests!: Table<ManifestRecord, string>;
  constructor(name = MANIFEST_DB_NAME) {
    super(name);
    // Add a new version (never edit this one) when the schema changes.
    this.version(1).stores({ manifests: 'jobId, target, [target+complete]' });
  }
}

const summary = (r: ManifestRecord): ManifestSummary => ({ jobId: r.jobId, startedAt: r.startedAt, fileCount: r.fileCount, submissionCount: r.submissionCount });

export class ManifestStore {
  constructor(readonly db: ManifestDb = new ManifestDb()) {}

  /** The engine's record of a finished archive (not complete until its job is done). */
  async save(record: Omit<ManifestRecord, 'target' | 'complete'>): Promise<void> {
    await this.db.manifests.put({ ...record, target: manifestTarget(record.kind, record.origin, record.workflowId, record.orderId), complete: 0 });
  }

  /** The newest complete manifest of a target, with its content; undefined if none. */
  async lastComplete(kind: ExportKind, origin: string, workflowId: string, orderId: string | null): Promise<ManifestRecord | undefined> {
    const all = await this.db.manifests.where('[target+complete]').equals([manifestTarget(kind, origin, workflowId, orderId), 1]).toArray();
    return all.sort((a, b) => b.startedAt - a.startedAt)[0];
  }

  async lastCompleteSummary(kind: ExportKind, origin: string, workflowId: string, orderId: string | null): Promise<ManifestSummary | null> {
    const r = await this.lastComplete(kind, origin, workflowId, orderId);
    return r ? summary(r) : null;
  }

  /**
   * The job ended: `done` marks its manifest complete (with the job's start) and drops the older
   * complete ones of its target; anything else (or `keep: false`) drops its manifest.
   */
  async jobEnded(jobId: string, done: boolean, startedAt: number): Promise<void> {
    await this.db.transaction('rw', this.db.manifests, async () => {
      const r = await this.db.manifests.get(jobId);
      if (!r) return;
      if (!done) return void (await this.db.manifests.delete(jobId));
      await this.db.manifests.update(jobId, { complete: 1, startedAt });
      await this.pruneTarget(r.target);
    });
  }

  /** Keeps only the newest complete manifest of `target` (incomplete ones belong to running jobs). */
  async pruneTarget(target: string): Promise<void> {
    const complete = await this.db.manifests.where('[target+complete]').equals([target, 1]).toArray();
    const old = complete.sort((a, b) => b.startedAt - a.startedAt).slice(1).map((r) => r.jobId);
    if (old.length) await this.db.manifests.bulkDelete(old);
  }

  /** Imported complete manifests (lib/historyTransfer.ts): those whose job id is new here; returns how many. */
  async importComplete(records: readonly Omit<ManifestRecord, 'target' | 'complete'>[]): Promise<number> {
    return this.db.transaction('rw', this.db.manifests, async () => {
      const have = new Set(await this.db.manifests.toCollection().primaryKeys());
      const fresh = records
        .filter((r) => !have.has(r.jobId) && !!have.add(r.jobId))
        .map((r): ManifestRecord => ({ ...r, target: manifestTarget(r.kind, r.origin, r.workflowId, r.orderId), complete: 1 }));
      await this.db.manifests.bulkAdd(fresh);
      for (const target of new Set(fresh.map((r) => r.target))) await this.pruneTarget(target);
      return fresh.length;
    });
  }

  /** The last manifest {@link countHeld} read, unpacked for lookups (the dialog asks page by page). */
  private held: { jobId: string; files: FileIndex | null; submissions: SubmissionIndex | null } | null = null;

  /**
   * How many of `items` the complete export `jobId` of this target held unchanged: files by uuid,
   * submissions by id and fingerprint. A manifest of another target, or none, holds nothing.
   */
  async countHeld(jobId: string, kind: ExportKind, origin: string, workflowId: string, orderId: string | null, items: readonly { id: string; fingerprint?: string }[]): Promise<number> {
    if (this.held?.jobId !== jobId) {
      const r = await this.db.manifests.get(jobId);
      if (!r || r.complete !== 1 || r.target !== manifestTarget(kind, origin, workflowId, orderId)) return 0;
      this.held = { jobId, files: r.files ? new FileIndex(r.files) : null, submissions: r.submissions ? new SubmissionIndex(r.submissions) : null };
    }
    const { files, submissions } = this.held;
    let n = 0;
    for (const item of items) {
      if (item.fingerprint === undefined ? files?.get(item.id) : submissions?.fingerprintOf(item.id) === item.fingerprint) n++;
    }
    return n;
  }

  /** Every complete manifest (for the history's JSON). */
  listComplete = (): Promise<ManifestRecord[]> => this.db.manifests.filter((r) => r.complete === 1).toArray();
}
