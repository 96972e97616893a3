/**
 * The checkbox **Only new since the last export** of the case-files, annotated and CSV dialogs
 * (issue 16.2). Enabled once a complete export of the same kind, workflow and order is recorded;
 * its description says when that was (local time) and, once counted from the listing, how many files
 * (by uuid) or submissions (by id and fingerprint) are new; after an export with it, how many went in.
 * Not remembered (decision): it is a choice per export.
 */
import { useEffect, useState } from 'preact/hooks';
import { isJobActive, type JobState } from '../lib/jobs';
import type { DeltaKind, ManifestSummary } from '../lib/manifestStore';
import type { ExporterActions } from './actions';
import { t } from '../lib/i18n';
import { PlatformClient, type Case, type Submission } from '../lib/platform';
import { passesStatus, type SubmissionsOption } from '../lib/csvResults';
import { submissionFingerprint } from '../lib/delta';
import { DELTA_COUNT_BATCH } from '../lib/messageSchema';

export interface OnlyNewFieldProps {
  actions: ExporterActions;
  kind: DeltaKind;
  origin: string;
  workflowId: string;
  orderId: string | null;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** The dialog's job: once it has ended, the last export it describes may be a newer one. */
  job: JobState | null;
  /** CSV: the submissions option (what would be exported is what is counted). */
  submissions?: SubmissionsOption;
}

interface Count {
  fresh: number;
  total: number;
  done: boolean;
}

/**
 * Counts, from the platform's listing, what an export with the checkbox would hold: files whose
 * uuid the last export did not hold (a changed file is only found by the export, which asks the
 * platform for each), submissions not held with the same fingerprint. Page by page, ids sent to the
 * background in batches; `onCount` after each page.
 */
async function countNew(props: OnlyNewFieldProps, jobId: string, live: () => boolean, onCount: (c: Count) => void) {
  const countHeld = props.actions.countHeld!;
  const client = new PlatformClient({ origin: props.origin });
  const pages: AsyncIterable<(Case | Submission)[]> = props.kind === 'csv' ? client.submissions(props.workflowId, props.orderId) : client.cases(props.workflowId, props.orderId);
  let total = 0;
  let held = 0;
  for await (const page of pages) {
    if (!live()) return;
    const items =
      props.kind === 'csv'
        ? (page as Submission[]).filter((s) => passesStatus(s, props.submissions ?? 'all')).map((s) => ({ id: s.id, fingerprint: submissionFingerprint(s) }))
        : (page as Case[]).flatMap((c) => c.files.map((f) => ({ id: f.uuid })));
    for (let i = 0; i < items.length; i += DELTA_COUNT_BATCH)
      held += await countHeld(props.kind, props.origin, props.workflowId, props.orderId, jobId, items.slice(i, i + DELTA_COUNT_BATCH));
    total += items.length;
    if (live()) onCount({ fresh: total - held, total, done: false });
  }
  if (live()) onCount({ fresh: total - held, total, done: true });
}

const formatLocal = (ms: number) => new Date(ms).toLocaleString();

export function OnlyNewField(props: OnlyNewFieldProps) {
  const [last, setLast] = useState<ManifestSummary | null | undefined>(undefined);
  // Not counted while this dialog's export runs (decision): the count would read the whole listing again,
  // next to the export, from the same platform and on the same CPU; the export says how many went in.
  const exporting = props.job !== null && isJobActive(props.job);
  const ended = props.job !== null && !exporting;
  useEffect(() => {
    let live = true;
    const ask = props.actions.lastCompleteExport;
    if (!ask) return setLast(null);
    ask(props.kind, props.origin, props.workflowId, props.orderId).then(
      (s) => live && setLast(s ?? null),
      () => live && setLast(null),
    );
    return () => void (live = false);
  }, [props.actions, props.kind, props.origin, props.workflowId, props.orderId, ended, props.job?.id]);
  const available = !!last;
  useEffect(() => {
    if (last === null && props.checked) props.onChange(false);
  }, [last]);
  const files = props.kind !== 'csv';
  const [count, setCount] = useState<Count | null>(null);
  useEffect(() => {
    setCount(null);
    if (!last || !props.actions.countHeld || exporting) return;
    let live = true;
    countNew(props, last.jobId, () => live, setCount).catch(() => live && setCount(null));
    return () => void (live = false);
  }, [last?.jobId, props.actions, props.origin, props.workflowId, props.orderId, props.submissions, exporting]);
  const countText = !last || exporting
    ? null
    : !count || !count.done
      ? t('onlyNewCounting')
      : files
        ? t('onlyNewCountFiles', count.fresh, count.total)
        : props.submissions === 'latest'
          ? t('onlyNewCountLatest', count.fresh, count.total)
          : t('onlyNewCountSubmissions', count.fresh, count.total);
  const counted = props.job?.phase === 'done' ? props.job.result?.delta : undefined;
  const description =
    last === undefined
      ? t('onlyNewChecking')
      : last === null
        ? t('onlyNewNone')
        : files
          ? t('onlyNewFiles', formatLocal(last.startedAt), last.fileCount)
          : t('onlyNewSubmissions', formatLocal(last.startedAt), last.submissionCount);
  return (
    <div class="we-only-new" style={{ margin: '2px 0 6px' }}>
      <label style={{ display: 'inline-flex', alignItems: 'baseline', gap: '6px', cursor: available ? 'pointer' : 'default' }}>
        <input
          type="checkbox"
          checked={available && props.checked}
          disabled={!available || props.disabled}
          aria-describedby="we-only-new-help"
          onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
        />
        {t('onlyNew')}
      </label>
      <p id="we-only-new-help" class="we-help" style={{ margin: '2px 0 0 22px' }}>
        {description}
        {countText && <> {countText}</>}
        {counted && !counted.nothingNew && <> {t(files ? 'onlyNewCountedFiles' : 'onlyNewCountedSubmissions', counted.newCount, formatLocal(counted.since))}</>}
      </p>
    </div>
  );
}
