import type { JobState } from '../lib/jobs';
import { t } from '../lib/i18n';
import { JobProgress } from './JobProgress';

/** The end of every export dialog: why it could not start, its progress, Close and the start button. */
export function ExportFooter(props: {
  startError: string | null;
  job: JobState | null;
  onCancel: (jobId: string) => void;
  onClose: () => void;
  label: string;
  disabled: boolean;
  onStart: () => void;
}) {
  const { job } = props;
  return (
    <>
      {props.startError && (
        <p class="we-error" role="alert">
          {props.startError}
        </p>
      )}
      {job && <JobProgress job={job} onCancel={() => props.onCancel(job.id)} />}
      <footer class="we-dialog-footer">
        <button type="button" class="we-button" onClick={props.onClose}>
          {t('close')}
        </button>
        <button type="button" class="we-button we-primary" disabled={props.disabled} onClick={props.onStart}>
          {props.label}
        </button>
      </footer>
    </>
  );
}
