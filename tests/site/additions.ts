/**
 * Data added to the reference platform at run time (POST /__admin/workflows/{wid}/add, the
 * `SiteHandle.addData` of tests/site/server.ts): new cases (with files and submissions), new files
 * in existing cases, new submissions, and existing submissions re-submitted (a new `submittedAt`).
 * Laid over the generated dataset without touching it: added cases come after the generated ones,
 * added files after a case's own, added submissions after its own.
 */
import type { Submission } from '../../lib/platform.ts';
import { hash32 } from './content.ts';
import { uuidFrom, type Dataset, type IndexList, type SiteCase, type SiteFile, type SiteWorkflow } from './data.ts';

export interface AddSpec {
  /** New cases, each with its files (`size` bytes of generated content) and `submissions` submitted ones. */
  cases?: { orderId?: string | null; externalId?: string; files?: { name: string; size: number }[]; submissions?: number }[];
  /** New files in existing cases. */
  files?: { caseId: string; name: string; size: number }[];
  /** New submitted submissions of existing cases. */
  submissions?: { caseId: string }[];
  /** Existing submissions re-submitted now (their `submittedAt` changes). */
  resubmit?: string[];
}

export interface Added {
  cases: { id: string; files: string[]; submissions: string[] }[];
  files: string[];
  submissions: string[];
}

export class Additions {
  private readonly casesByWorkflow = new Map<string, SiteCase[]>();
  private readonly filesByCase = new Map<string, SiteFile[]>();
  private readonly submissionsByCase = new Map<string, Submission[]>();
  private readonly resubmitted = new Map<string, string>();
  private readonly files = new Map<string, SiteFile>();
  private n = 0;

  add(data: Dataset, wid: string, spec: AddSpec): Added {
    const w = data.workflow(wid);
    if (!w) throw new Error(`No workflow ${wid}.`);
    const template = w.caseCount > 0 ? w.submissionsOf(0)[0] : undefined;
    const reader = template?.reader ?? { id: data.users[0].id, name: data.users[0].name };
    const answers = template?.answers ?? {};
    const file = (caseId: string, name: string, size: number): SiteFile => {
      const k = ++this.n;
      const f: SiteFile = {
        uuid: uuidFrom('added-file', wid, k),
        originalFilename: name,
        contentType: 'application/octet-stream',
        createdAt: new Date().toISOString(),
        workflowId: wid,
        caseId,
        content: { kind: 'blocks', seed: hash32('added', wid, k), size },
      };
      this.files.set(f.uuid, f);
      return f;
    };
    const submission = (caseId: string): Submission => {
      const k = ++this.n;
      const s: Submission = { id: uuidFrom('added-submission', wid, k), caseId, reader: { ...reader }, status: 'submitted', submittedAt: new Date().toISOString(), answers: { ...answers } };
      const list = this.submissionsByCase.get(caseId) ?? [];
      list.push(s);
      this.submissionsByCase.set(caseId, list);
      return s;
    };
    const out: Added = { cases: [], files: [], submissions: [] };
    for (const c of spec.cases ?? []) {
      const k = ++this.n;
      const id = uuidFrom('added-case', wid, k);
      const sc: SiteCase = {
        id,
        shortId: `ADD${k}`,
        externalId: c.externalId ?? `ADDED-${k}`,
        entityExternalId: null,
        orderId: c.orderId ?? null,
        metadata: {},
        files: [],
      };
      sc.files = (c.files ?? []).map((f) => file(id, f.name, f.size));
      const list = this.casesByWorkflow.get(wid) ?? [];
      list.push(sc);
      this.casesByWorkflow.set(wid, list);
      const subs = Array.from({ length: c.submissions ?? 0 }, () => submission(id).id);
      out.cases.push({ id, files: sc.files.map((f) => f.uuid), submissions: subs });
    }
    for (const f of spec.files ?? []) {
      const added = file(f.caseId, f.name, f.size);
      const list = this.filesByCase.get(f.caseId) ?? [];
      list.push(added);
      this.filesByCase.set(f.caseId, list);
      out.files.push(added.uuid);
    }
    for (const s of spec.submissions ?? []) out.submissions.push(submission(s.caseId).id);
    for (const id of spec.resubmit ?? []) this.resubmitted.set(id, new Date(Date.now() + 1000 * ++this.n).toISOString());
    return out;
  }

  /** The workflow with what was added to it. */
  workflow(data: Dataset, wid: string): SiteWorkflow | undefined {
    const base = data.workflow(wid);
    return base && this.wrap(base);
  }

  private wrap(base: SiteWorkflow): SiteWorkflow {
    const added = this.casesByWorkflow.get(base.id) ?? [];
    if (!added.length && !this.filesByCase.size && !this.submissionsByCase.size && !this.resubmitted.size) return base;
    const n = base.caseCount;
    const caseAt = (i: number): SiteCase => {
      const c = i < n ? base.caseAt(i) : added[i - n];
      const extra = this.filesByCase.get(c.id);
      return extra ? { ...c, files: [...c.files, ...extra] } : c;
    };
    const casesOfOrder = (o: string | null): IndexList | undefined => {
      const own = base.casesOfOrder(o);
      if (!own) return undefined;
      const more = added.flatMap((c, j) => (o === null || c.orderId === o ? [n + j] : []));
      return { length: own.length + more.length, at: (i) => (i < own.length ? own.at(i) : more[i - own.length]) };
    };
    const submissionsOf = (i: number): Submission[] => {
      const c = caseAt(i);
      const own = i < n ? base.submissionsOf(i) : [];
      return [...own, ...(this.submissionsByCase.get(c.id) ?? [])].map((s) => {
        const at = this.resubmitted.get(s.id);
        return at ? { ...s, status: 'submitted' as const, submittedAt: at } : s;
      });
    };
    return { ...base, caseCount: n + added.length, caseAt, casesOfOrder, submissionsOf, annotationsOf: (i) => (i < n ? base.annotationsOf(i) : []) };
  }

  /** The dataset with what was added. */
  over(data: Dataset): Dataset {
    const self = this;
    return {
      ...data,
      get workflows() {
        return data.workflows.map((w) => self.wrap(w));
      },
      workflow: (id) => self.workflow(data, id),
      file: (uuid) => data.file(uuid) ?? self.files.get(uuid),
    };
  }
}
