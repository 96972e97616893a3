import { describeProgress, formatBytes, leftOut, progressFraction, type JobState } from '../lib/jobs';
import { signInUrl } from '../lib/platform';

/** A job's progress, outcome and Cancel, as the dialogs and the popup show it. */
export function JobProgress(props: { job: JobState; onCancel?: () => void }) {
  const { job } = props;
  const p = job.progress;
  const active = job.phase === 'running' || job.phase === 'queued' || job.phase === 'saving';
  const failed = job.result ? leftOut(job.result.failed).length : p.failed;
  return (
    <section class="we-job" aria-live="polite" data-phase={job.phase}>
      {active && p.paused === 'unauthenticated' && (
        <p class="we-paused" role="alert">
          Your session on the platform has ended. Sign in again to continue:{' '}
          <a href={signInUrl(job.request.origin)} target="_blank" rel="noopener">
            Sign in
          </a>{' '}
          (in another tab). The export goes on by itself once you are signed in; nothing is lost.
        </p>
      )}
      {active && (
        <>
          <progress
            aria-label="Export progress"
            max={1}
            value={job.phase === 'saving' ? 1 : progressFraction(p)}
          />
          <p class="we-job-status" role="status">
            {job.phase === 'saving' ? 'Saving to your downloads…' : describeProgress(p)}
          </p>
          {props.onCancel && (
            <button type="button" class="we-button" onClick={props.onCancel}>
              Cancel export
            </button>
          )}
        </>
      )}
      {job.phase === 'done' && (
        <p class="we-job-status" role="status">
          Saved <strong>{job.filename}</strong> ({formatBytes(job.result?.archiveBytes ?? 0)}) to your downloads:{' '}
          {job.result?.files ?? 0} files
          {failed ? (
            <>
              , <strong class="we-error">{failed} failed</strong> (listed in export-report.csv)
            </>
          ) : null}
          .
        </p>
      )}
      {job.phase === 'failed' && (
        <p class="we-job-status we-error" role="alert">
          The export failed: {job.error}
        </p>
      )}
      {job.phase === 'cancelled' && (
        <p class="we-job-status" role="status">
          Export cancelled. Nothing was saved.
        </p>
      )}
    </section>
  );
}
