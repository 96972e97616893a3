import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { extensionActions, type ExporterActions } from '../../components/actions';
import { JobProgress } from '../../components/JobProgress';
import { executionExportRequest } from '../../lib/executionRequest';
import { formatBytes, isJobActive, leftOut, notVerifiedCount, type ExportKind, type JobState } from '../../lib/jobs';
import { isExecutionFinished, PlatformClient, PlatformError, signInUrl, type ExecutionSummary } from '../../lib/platform';
import { allOrigins, type Settings } from '../../lib/settings';
import { t, tParts, type MessageKey } from '../../lib/i18n';

/** Seconds between two looks at a last execution that has not finished. */
const REFRESH_SECONDS = 5;

type Latest = { origin: string; execution: ExecutionSummary };
type Overview =
  | { state: 'loading' }
  | { state: 'no-origin' }
  | { state: 'ready'; latest: Latest | null; signedOut: string[]; errors: { origin: string; message: string }[] };

const KIND_LABELS: Record<ExportKind, MessageKey> = {
  'case-files': 'kindCaseFiles',
  'annotated-case-files': 'kindAnnotatedCaseFiles',
  csv: 'kindCsv',
  execution: 'kindExecution',
};

/** The newest execution over every origin, and which origins want a sign-in. */
async function overview(origins: string[]): Promise<Overview> {
  if (origins.length === 0) return { state: 'no-origin' };
  const answers = await Promise.all(
    origins.map(async (origin) => {
      try {
        const [execution] = await new PlatformClient({ origin }).latestExecutions(1);
        return { origin, execution: execution ?? null, error: null };
      } catch (err) {
        return { origin, execution: null, error: err as Error };
      }
    }),
  );
  let latest: Latest | null = null;
  const signedOut: string[] = [];
  const errors: { origin: string; message: string }[] = [];
  for (const a of answers) {
    if (a.error) {
      if (a.error instanceof PlatformError && a.error.unauthenticated) signedOut.push(a.origin);
      else errors.push({ origin: a.origin, message: a.error.message });
    } else if (a.execution && (!latest || Date.parse(a.execution.startedAt) > Date.parse(latest.execution.startedAt)))
      latest = { origin: a.origin, execution: a.execution };
  }
  return { state: 'ready', latest, signedOut, errors };
}

const formatTime = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

/** The popup: the last execution with a one-click export, then the running and recent exports. */
export function App(props: { actions?: ExporterActions }) {
  const actions = props.actions ?? extensionActions;
  const [jobs, setJobs] = useState<JobState[]>([]);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [view, setView] = useState<Overview>({ state: 'loading' });
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    void actions.listJobs().then(setJobs);
    return actions.onJobUpdate((job) =>
      setJobs((list) => [job, ...list.filter((j) => j.id !== job.id)].sort((a, b) => b.startedAt - a.startedAt)),
    );
  }, [actions]);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      const s = await actions.getSettings();
      if (!live) return;
      setSettings(s);
      const v = await overview(allOrigins(s));
      if (!live) return;
      setView(v);
      if (v.state === 'ready' && v.latest && !isExecutionFinished(v.latest.execution.status)) timer = setTimeout(look, REFRESH_SECONDS * 1000);
    };
    look().catch((err: Error) => live && setView({ state: 'ready', latest: null, signedOut: [], errors: [{ origin: '', message: err.message }] }));
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [actions]);

  const quickExport = async (latest: Latest) => {
    setStartError(null);
    setStarting(true);
    try {
      // The export runs in the background: closing the popup does not stop it.
      await actions.startExport(executionExportRequest(latest.origin, latest.execution.id, settings!.execution));
    } catch (err) {
      setStartError((err as Error).message);
    } finally {
      setStarting(false);
    }
  };

  const openOptions = (e: Event) => {
    e.preventDefault();
    void browser.runtime.openOptionsPage();
  };

  return (
    <main class="we-popup">
      <header class="we-popup-header">
        <h1>{t('extName')}</h1>
        <a href="/options.html" class="we-link" onClick={openOptions}>
          {t('options')}
        </a>
      </header>
      <section aria-labelledby="we-last" class="we-card">
        <h2 id="we-last">{t('lastExecution')}</h2>
        {view.state === 'loading' && <p class="we-help">{t('loading')}</p>}
        {view.state === 'no-origin' && (
          <p class="we-help" role="status">
            {tParts(
              'noOrigin',
              <strong>{t('platformOrigins')}</strong>,
              <a href="/options.html" class="we-link" onClick={openOptions}>
                {t('optionsLink')}
              </a>,
            )}
          </p>
        )}
        {view.state === 'ready' && (
          <>
            {view.signedOut.map((origin) => (
              <p class="we-notice" role="alert">
                {tParts(
                  'notSignedIn',
                  origin,
                  <a href={signInUrl(origin)} target="_blank" rel="noreferrer" class="we-link">
                    {t('signIn')}
                  </a>,
                )}
              </p>
            ))}
            {view.errors.map((e) => (
              <p class="we-error" role="alert">
                {t('cannotReach', e.origin || t('thePlatform'), e.message)}
              </p>
            ))}
            {view.latest ? (
              <LastExecution latest={view.latest} settings={settings} disabled={starting} onExport={quickExport} />
            ) : view.signedOut.length === 0 && view.errors.length === 0 ? (
              <p class="we-help">{t('noExecutions')}</p>
            ) : null}
            {startError && (
              <p class="we-error" role="alert">
                {startError}
              </p>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="we-recent">
        <h2 id="we-recent">{t('exports')}</h2>
        {jobs.length === 0 && <p class="we-help">{t('noExportsPopup')}</p>}
        <ul class="we-jobs">
          {jobs.map((job) => (
            <li key={job.id} aria-label={t('jobExportLabel', t(KIND_LABELS[job.request.kind]))}>
              <p class="we-job-title">
                <span class="we-kind">{t(KIND_LABELS[job.request.kind])}</span>{' '}
                <span class="we-when">{new Date(job.startedAt).toLocaleTimeString()}</span>
              </p>
              <JobProgress job={job} onCancel={isJobActive(job) ? () => actions.cancelExport(job.id) : undefined} />
              {job.phase === 'done' && (
                <p class="we-job-result">
                  <span>
                    {job.result && leftOut(job.result.failed).length
                      ? t('popupFailed', leftOut(job.result.failed).length, job.result.files)
                      : t('popupDone', job.result?.files ?? 0, formatBytes(job.result?.archiveBytes ?? 0))}
                    {job.result && notVerifiedCount(job.result.failed) > 0 && ` · ${t('nNotVerified', notVerifiedCount(job.result.failed))}`}
                  </span>
                  {job.downloadId !== undefined && (
                    <button type="button" class="we-button" onClick={() => void browser.downloads.show(job.downloadId!)}>
                      {t('showInFolder')}
                    </button>
                  )}
                </p>
              )}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

function LastExecution(props: { latest: Latest; settings: Settings | null; disabled: boolean; onExport: (l: Latest) => void }) {
  const { execution, origin } = props.latest;
  const finished = isExecutionFinished(execution.status);
  const name = t(props.settings?.execution.format === 'html' ? 'formatHtml' : 'formatMarkdown');
  const format = props.settings?.execution.combine ? t('formatCombined', name) : name;
  return (
    <div class="we-last-execution" data-execution-id={execution.id}>
      <dl>
        <dt>{t('workflow')}</dt>
        <dd class="we-workflow">{execution.workflowName ?? execution.workflowId}</dd>
        <dt>{t('status')}</dt>
        <dd>
          <span class={`we-status we-status-${execution.status}`}>{execution.status}</span>
        </dd>
        <dt>{t('started')}</dt>
        <dd>
          <time dateTime={execution.startedAt} title={execution.startedAt}>
            {formatTime(execution.startedAt)}
          </time>
        </dd>
      </dl>
      <p class="we-actions-row">
        <button
          type="button"
          class="we-button we-primary"
          disabled={!finished || !props.settings || props.disabled}
          aria-describedby="we-export-help"
          onClick={() => props.onExport(props.latest)}
        >
          {t('exportButton')}
        </button>
        <span id="we-export-help" class="we-help">
          {finished ? t('exportAsSet', format) : t('exportOnceFinished')}
        </span>
      </p>
      <p class="we-help we-origin">
        {t('executionOn', execution.id, origin)}
      </p>
    </div>
  );
}
