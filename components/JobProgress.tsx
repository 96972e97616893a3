import { describeProgress, formatBytes, leftOut, notVerifiedCount, progressFraction, type JobState } from '../lib/jobs';
import { signInUrl } from '../lib/platform';
import { t, tParts } from '../lib/i18n';

/** A job's progress, outcome and Cancel, as the dialogs and the popup show it. */
export function JobProgress(props: { job: JobState; onCancel?: () => void }) {
  const { job } = props;
  const p = job.progress;
  const active = job.phase === 'running' || job.phase === 'queued' || job.phase === 'saving';
  const failed = job.result ? leftOut(job.result.failed).length : p.failed;
  const unverified = job.result ? notVerifiedCount(job.result.failed) : (p.notVerified ?? 0);
  return (
    <section class="we-job" aria-live="polite" data-phase={job.phase}>
      {active && p.paused === 'unauthenticated' && (
        <p class="we-paused" role="alert">
          {tParts(
            'sessionEnded',
            <a href={signInUrl(job.request.origin)} target="_blank" rel="noopener">
              {t('signIn')}
            </a>,
          )}
        </p>
      )}
      {active && (job.resumes ?? 0) > 0 && (
        <p class="we-job-status" data-resumed>
          {t('exportResumed')}
        </p>
      )}
      {job.phase === 'done' && job.result?.resumed && (
        <p class="we-job-status" data-resumed>
          {job.result.resumed.restartReason
            ? t('exportRestarted', job.result.resumed.restartReason)
            : t('resumedKept', job.result.resumed.kept)}
        </p>
      )}
      {active && (
        <>
          <progress
            aria-label={t('exportProgress')}
            max={1}
            value={job.phase === 'saving' ? 1 : progressFraction(p)}
          />
          <p class="we-job-status" role="status">
            {job.phase === 'saving' ? t('savingToDownloads') : describeProgress(p)}
          </p>
          {/* What Firefox does differently (README, "Firefox"): no saving while it is built. */}
          {import.meta.env.FIREFOX && job.phase !== 'saving' && (
            <p class="we-help" role="note" data-firefox-note>
              {t('firefoxSavesWhenDone')}
            </p>
          )}
          {props.onCancel && (
            <button type="button" class="we-button" onClick={props.onCancel}>
              {t('cancelExport')}
            </button>
          )}
        </>
      )}
      {job.phase === 'done' && job.result?.delta?.nothingNew && (
        <p class="we-job-status" role="status" data-nothing-new>
          {t('nothingNew', new Date(job.result.delta.since).toLocaleString())}
        </p>
      )}
      {job.phase === 'done' && !job.result?.delta?.nothingNew && (
        <p class="we-job-status" role="status">
          {job.result?.delta && <>{t('deltaNew', job.result.delta.newCount, new Date(job.result.delta.since).toLocaleString())} </>}
          {failed
            ? tParts(
                'jobDoneWithFailures',
                <strong>{job.filename}</strong>,
                formatBytes(job.result?.archiveBytes ?? 0),
                job.result?.files ?? 0,
                <strong class="we-error">{t('nFailed', failed)}</strong>,
              )
            : tParts('jobDone', <strong>{job.filename}</strong>, formatBytes(job.result?.archiveBytes ?? 0), job.result?.files ?? 0)}
          {unverified > 0 && (
            <>
              {' '}
              <span class="we-not-verified">{t('nNotVerified', unverified)}</span>
            </>
          )}
        </p>
      )}
      {job.phase === 'done' &&
        job.result?.warnings?.map((w, i) => (
          <p key={i} class="we-job-warning" role="note">
            {w}
          </p>
        ))}
      {job.phase === 'failed' && (
        <p class="we-job-status we-error" role="alert">
          {t('exportFailed', job.error ?? '')}
        </p>
      )}
      {job.phase === 'cancelled' && (
        <p class="we-job-status" role="status">
          {t('exportCancelled')}
        </p>
      )}
    </section>
  );
}
