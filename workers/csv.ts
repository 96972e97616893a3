/**
 * The results-as-CSV exporter (product spec 1a): `<workflow[-order]-name>_results.csv`, streamed.
 * Runs in the worker; in Node tests with a fake fetch. The rules of each cell are in
 * `lib/csvResults.ts`; `lib/csvEscape.ts` writes one batch of rows (one page of submissions) at a time.
 *
 * The pipeline, every list read page by page (500 a page, the next page fetched while the current
 * one is written):
 * 1. **Cases.** The header needs the union of metadata keys over all cases before the first row, so
 *    the cases are listed first. Of each case only a compact {@link CaseRecord} is kept (order name,
 *    ids, formatted meta values; no files): memory grows with the number of cases, a few dozen
 *    bytes each, never with submissions.
 * 2. **Submissions, first pass** — only for `latest` or the wide layout:
 *    - `latest` keeps one `{id, time}` per (case, reader) pair to know each pair's winner, since
 *      submissions are not guaranteed to come sorted by case or date;
 *    - the wide layout counts the selected submissions of every case (one number per case): the
 *      largest count gives the number of column groups in the header, and each case's count says
 *      when its row is complete.
 * 3. **Header**, then **submissions, writing pass**: each page's selected submissions become rows
 *    and are written at once (long layout). In the wide layout a case's submissions are held, as
 *    cells, only until the case has as many as the first pass counted; rows come out in the order of
 *    the case list, so a finished row also waits for earlier cases still open. With the platform's
 *    paging (submissions grouped by case, in case order) that is one case at a time; memory grows
 *    only when submissions of many cases are interleaved. Whatever is still open at the end is
 *    written as it is (the data changed between the passes).
 * 4. **Pass check** (`lib/csvPasses.ts`): each read tallies, per case, the submissions the option
 *    can select (count and fingerprint of id, status, time). Cases that differ between the two reads
 *    (submissions added, removed, listed twice, re-submitted) are named in a warning of the job's
 *    result, with what the file shows for them and how many submissions of the second read it could
 *    not hold (wide: the case's row was already written, or past its last column group). The file is
 *    still written: the data is the platform's, the warning says where it moved under the export.
 *
 * Every request goes through the engine's client (`contextClient`): retried on 429/503 (after
 * `Retry-After`), 500 and network errors, paused on a 401 until the session works again; any other
 * error ends the export with the platform's message (no partial file is kept: the engine removes it).
 * Progress: `filesDone`/`filesTotal` count case visits (each case once per pass over the
 * submissions, so the bar moves evenly); `bytesDone` is CSV bytes written and `bytesTotal` an
 * estimate from the fraction done. When the file is complete, `filesDone` = `filesTotal` = the
 * number of data rows and `listingDone` is set.
 */
import type { PlatformClient, Question, Submission, Workflow } from '../lib/platform';
import {
  MetaKeys,
  LatestSubmissions,
  UTF8_BOM,
  caseRecord,
  csvColumns,
  longRow,
  orderNames,
  passesStatus,
  submissionCells,
  unknownCaseRecord,
  wideRow,
  type CaseRecord,
  type CsvTable,
} from '../lib/csvResults';
import { csvRecords, type CsvValue } from '../lib/csvEscape';
import { resultsCsvName } from '../lib/naming';
import { ReadTally, changedCases, passChangeWarning } from '../lib/csvPasses';
import { emptyProgress, type CsvRequest, type Progress } from '../lib/jobs';
import { contextClient } from './client';
import { submissionFingerprint } from '../lib/delta';
import type { DeltaContext } from './deltaRun';
import { Utf8Bytes } from '../lib/utf8Bytes';
import type { ExportContext, ExportOutput } from './exporters';

/** Reads `source` one item ahead: the next page is on its way while the current one is written. */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let finished = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        finished = true;
        return;
      }
      next = it.next();
      next.catch(() => {}); // surfaces when awaited; never unhandled
      yield r.value;
    }
  } finally {
    if (!finished) void it.return?.(undefined)?.catch(() => {});
  }
}

const unparse = (rows: readonly CsvValue[][]): string => csvRecords(rows);

/** The results-as-CSV exporter. */
export async function exportCsv(request: CsvRequest, ctx: ExportContext): Promise<ExportOutput> {
  // Every request retries transient errors and waits out a 401 (the session gate), as files do.
  const client = contextClient(request.origin, ctx);
  const [workflow, questions] = await Promise.all([client.workflow(request.workflowId), client.questions(request.workflowId)]);
  const order = request.orderId ? (workflow.orders.find((o) => o.id === request.orderId) ?? null) : null;
  if (request.orderId && !order) throw new Error(`Order ${request.orderId} is not in workflow “${workflow.name}”.`);
  const { stream, progress, warnings } = resultsCsvStream(client, request, workflow, questions, ctx.onProgress, ctx.delta);
  return { filename: resultsCsvName(workflow, order, ctx.delta?.since?.startedAt), stream, progress, failed: [], warnings };
}

/** The CSV's text, chunk by chunk (BOM, header, then one chunk per page of submissions). */
export async function* resultsCsvText(
  client: PlatformClient,
  request: Pick<CsvRequest, 'workflowId' | 'orderId' | 'submissions' | 'layout' | 'bom'>,
  workflow: Workflow,
  questions: readonly Question[],
  progress: Progress,
  onProgress: (p: Progress) => void,
  /** Filled when the submissions changed between the two reads (the pass check). */
  warnings: string[] = [],
  /**
   * Records every selected submission (id, fingerprint) for the next delta; with `since`, only
   * the new or changed ones become rows (wide: a case's row holds only those, a case without any
   * has no row; its old ones may keep later rows waiting until the end).
   */
  delta?: DeltaContext,
): AsyncGenerator<string> {
  const wide = request.layout === 'wide';
  const latest = request.submissions === 'latest' ? new LatestSubmissions() : null;
  const passes = latest || wide ? 2 : 1;
  let pass = 0;

  // 1. Cases: the compact records and the union of meta keys. Per case, by its position in the
  // case list: the record, the last pass that saw it (progress) and, wide, its expected count.
  const orders = orderNames(workflow);
  const metaKeys = new MetaKeys();
  const positions = new Map<string, number>();
  const ids: string[] = [];
  const records: CaseRecord[] = [];
  const seenInPass: number[] = [];
  /** Wide: selected submissions counted by the first pass; -1 once the row is written. */
  const expected: number[] = [];
  /** Wide: the cells of the submissions of cases still open, until their row is complete. */
  const held = new Map<number, CsvValue[][]>();
  const add = (id: string, record: CaseRecord): number => {
    const at = records.length;
    positions.set(id, at);
    ids.push(id);
    records.push(record);
    seenInPass.push(0);
    expected.push(0);
    return at;
  };
  /** The position of a case; a case the list did not hold (added meanwhile) is appended. */
  const positionOf = (caseId: string): number => {
    const at = positions.get(caseId);
    if (at !== undefined) return at;
    progress.filesTotal += passes;
    return add(caseId, unknownCaseRecord(caseId));
  };
  for await (const page of prefetched(client.cases(request.workflowId, request.orderId))) {
    for (const c of page) if (!positions.has(c.id)) add(c.id, caseRecord(c, orders, metaKeys));
    progress.filesTotal = records.length * passes;
    onProgress(progress);
  }
  const table: CsvTable = { workflowName: workflow.name, questions, metaKeys: metaKeys.keys };

  const visit = (at: number) => {
    if (seenInPass[at] === pass) return;
    seenInPass[at] = pass;
    progress.filesDone++;
  };
  const selected = (s: Submission) => (latest ? latest.isLatest(s) : passesStatus(s, request.submissions));
  const since = delta?.since;
  /** Only new since the last export: the submission was not in it, or its status, time or answers changed. */
  const isNew = (s: Submission) => !since || since.submissions.fingerprintOf(s.id) !== submissionFingerprint(s);

  // The pass check (lib/csvPasses.ts): what each read saw, per case, of the submissions the option can select.
  const reads = [new ReadTally(), new ReadTally()];
  const tally = (read: number, at: number, s: Submission) => {
    if (passes === 2 && passesStatus(s, request.submissions)) reads[read].add(at, s);
  };
  /** Wide: selected submissions of the second read the file could not hold. */
  let late = 0;

  // 2. First pass: latest winners, wide counts.
  if (passes === 2) {
    pass = 1;
    for await (const page of prefetched(client.submissions(request.workflowId, request.orderId))) {
      for (const s of page) {
        const at = positionOf(s.caseId);
        visit(at);
        tally(0, at, s);
        if (latest) latest.offer(s);
        else if (passesStatus(s, request.submissions) && isNew(s)) expected[at]++;
      }
      onProgress(progress);
    }
    if (latest && wide) for (const [caseId, n] of latest.countsByCase()) expected[positionOf(caseId)] = n;
  }
  let groups = 0;
  if (wide) for (const n of expected) groups = Math.max(groups, n);

  // 3. Header, then the rows as the pages arrive.
  yield (request.bom ? UTF8_BOM : '') + unparse([csvColumns(request.layout, questions, metaKeys.keys, groups)]);
  pass = passes;
  let rowsWritten = 0;
  let nextRow = 0;
  /** Wide: the finished rows at the head of the case order (all that are left when `all`). */
  const takeWideRows = (rows: CsvValue[][], all: boolean) => {
    while (nextRow < records.length) {
      const cells = held.get(nextRow);
      if (!all && (cells?.length ?? 0) < expected[nextRow]) break;
      if (!since || cells?.length) rows.push(wideRow(table, records[nextRow], cells ?? [], groups));
      late += Math.max(0, (cells?.length ?? 0) - groups);
      held.delete(nextRow);
      expected[nextRow] = -1;
      nextRow++;
    }
  };
  for await (const page of prefetched(client.submissions(request.workflowId, request.orderId))) {
    const rows: CsvValue[][] = [];
    for (const s of page) {
      const at = positionOf(s.caseId);
      visit(at);
      tally(1, at, s);
      if (!selected(s)) continue;
      if (delta) {
        const fingerprint = submissionFingerprint(s);
        delta.record.submission(s.id, fingerprint);
        if (since && since.submissions.fingerprintOf(s.id) === fingerprint) continue;
        if (since) delta.counts.newCount++;
      }
      if (!wide) rows.push(longRow(table, records[at], s));
      else if (expected[at] !== -1) {
        let list = held.get(at);
        if (!list) held.set(at, (list = []));
        list.push(submissionCells(s, questions));
      } else late++; // its case's row is already written (the case gained a submission meanwhile)
    }
    if (wide) takeWideRows(rows, false);
    rowsWritten += rows.length;
    onProgress(progress);
    if (rows.length) yield unparse(rows);
  }
  if (wide) {
    const rows: CsvValue[][] = [];
    takeWideRows(rows, true);
    rowsWritten += rows.length;
    if (rows.length) yield unparse(rows);
  }
  if (passes === 2) {
    const warning = passChangeWarning({ caseIds: changedCases(reads[0], reads[1]).map((at) => ids[at]), layout: request.layout, latest: !!latest, late });
    if (warning) warnings.push(warning);
  }
  progress.filesDone = progress.filesTotal = rowsWritten;
  progress.listingDone = true;
}

/** The encoded CSV as a byte stream, pulled by the sink (one page of rows at a time). */
export function resultsCsvStream(
  client: PlatformClient,
  request: Pick<CsvRequest, 'workflowId' | 'orderId' | 'submissions' | 'layout' | 'bom'>,
  workflow: Workflow,
  questions: readonly Question[],
  onProgress: (p: Progress) => void,
  delta?: DeltaContext,
): { stream: ReadableStream<Uint8Array>; progress: Progress; warnings: string[] } {
  const progress = emptyProgress();
  const warnings: string[] = [];
  const report = (p: Progress) => {
    // The total size is not known before the end: estimate it from the fraction done.
    if (!p.listingDone && p.filesDone > 0 && p.bytesDone > 0) p.bytesTotal = Math.max(p.bytesDone, Math.round((p.bytesDone * p.filesTotal) / p.filesDone));
    onProgress(p);
  };
  const text = resultsCsvText(client, request, workflow, questions, progress, report, warnings, delta);
  const utf8 = new Utf8Bytes();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const r = await text.next();
        if (r.done) {
          progress.bytesTotal = progress.bytesDone;
          onProgress(progress);
          controller.close();
          return;
        }
        if (r.value === '') continue;
        const bytes = utf8.of(r.value);
        progress.bytesDone += bytes.byteLength;
        progress.archiveBytes = progress.bytesDone;
        controller.enqueue(bytes);
        return;
      }
    },
    async cancel() {
      await text.return(undefined);
    },
  });
  return { stream, progress, warnings };
}
