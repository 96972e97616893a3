/**
 * The checkbox **Only new since the last export** of the case-files, annotated and CSV dialogs
 * (issue 16.2). Enabled once a complete export of the same kind, workflow and order is recorded;
 * its description says when that was (local time) and, once an export with it has counted them,
 * how many files or submissions were new. Not remembered (decision): it is a choice per export.
 */
import { useEffect, useState } from 'preact/hooks';
import type { JobState } from '../lib/jobs';
import type { DeltaKind, ManifestSummary } from '../lib/manifestStore';
import type { ExporterActions } from './actions';
import { t } from '../lib/i18n';

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
}

const formatLocal = (ms: number) => new Date(ms).toLocaleString();

export function OnlyNewField(props: OnlyNewFieldProps) {
  const [last, setLast] = useState<ManifestSummary | null | undefined>(undefined);
  const ended = props.job !== null && (props.job.phase === 'done' || props.job.phase === 'failed' || props.job.phase === 'cancelled');
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
        {counted && !counted.nothingNew && <> {t(files ? 'onlyNewCountedFiles' : 'onlyNewCountedSubmissions', counted.newCount, formatLocal(counted.since))}</>}
      </p>
    </div>
  );
}
