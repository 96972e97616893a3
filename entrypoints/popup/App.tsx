import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { extensionActions, type ExporterActions } from '../../components/actions';
import { JobProgress } from '../../components/JobProgress';
import { executionExportRequest } from '../../lib/executionDocs';
import { formatBytes, isJobActive, type ExportKind, type JobState } from '../../lib/jobs';
import { isExecutionFinished, PlatformClient, PlatformError, signInUrl, type ExecutionSummary } from '../../lib/platform';
import { allOrigins, type Settings } from '../../lib/settings';

/** Seconds between two looks at a last execution that has not finished. */
const REFRESH_SECONDS = 5;

type Latest = { origin: string; execution: ExecutionSummary };
type Overview =
  | { state: 'loading' }
  | { state: 'no-origin' }
  | { state: 'ready'; latest: Latest | null; signedOut: string[]; errors: { origin: string; message: string }[] };

const KIND_LABELS: Record<ExportKind, string> = {
  'case-files': 'Case files',
  'annotated-case-files': 'Annotated case files',
  csv: 'Results CSV',
  execution: 'Execution',
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
        <h1>Workflow Exporter</h1>
        <a href="/options.html" class="we-link" onClick={openOptions}>
          Options
        </a>
      </header>
      <section aria-labelledby="we-last" class="we-card">
        <h2 id="we-last">Last execution</h2>
        {view.state === 'loading' && <p class="we-help">Loading…</p>}
        {view.state === 'no-origin' && (
          <p class="we-help" role="status">
            No platform origin is configured. Add the address of your platform (e.g. https://app.example.com) under{' '}
            <strong>Platform origins</strong> in the{' '}
            <a href="/options.html" class="we-link" onClick={openOptions}>
              options
            </a>
            .
          </p>
        )}
        {view.state === 'ready' && (
          <>
            {view.signedOut.map((origin) => (
              <p class="we-notice" role="alert">
                You are not signed in to {origin}.{' '}
                <a href={signInUrl(origin)} target="_blank" rel="noreferrer" class="we-link">
                  Sign in
                </a>
              </p>
            ))}
            {view.errors.map((e) => (
              <p class="we-error" role="alert">
                Could not reach {e.origin || 'the platform'}: {e.message}
              </p>
            ))}
            {view.latest ? (
              <LastExecution latest={view.latest} settings={settings} disabled={starting} onExport={quickExport} />
            ) : view.signedOut.length === 0 && view.errors.length === 0 ? (
              <p class="we-help">No executions yet.</p>
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
        <h2 id="we-recent">Exports</h2>
        {jobs.length === 0 && <p class="we-help">No exports yet. Open a workflow on the platform and use its Export buttons.</p>}
        <ul class="we-jobs">
          {jobs.map((job) => (
            <li key={job.id} aria-label={`${KIND_LABELS[job.request.kind]} export`}>
              <p class="we-job-title">
                <span class="we-kind">{KIND_LABELS[job.request.kind]}</span>{' '}
                <span class="we-when">{new Date(job.startedAt).toLocaleTimeString()}</span>
              </p>
              <JobProgress job={job} onCancel={isJobActive(job) ? () => actions.cancelExport(job.id) : undefined} />
              {job.phase === 'done' && (
                <p class="we-job-result">
                  <span>
                    {job.result?.failed.length
                      ? `${job.result.failed.length} of ${job.result.files} files failed (see export-report.csv)`
                      : `${job.result?.files ?? 0} files, ${formatBytes(job.result?.archiveBytes ?? 0)}, no failures`}
                  </span>
                  {job.downloadId !== undefined && (
                    <button type="button" class="we-button" onClick={() => void browser.downloads.show(job.downloadId!)}>
                      Show in folder
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
  const format = props.settings?.execution.format === 'html' ? 'HTML' : 'Markdown';
  const combined = props.settings?.execution.combine ? ', combined' : '';
  return (
    <div class="we-last-execution" data-execution-id={execution.id}>
      <dl>
        <dt>Workflow</dt>
        <dd class="we-workflow">{execution.workflowName ?? execution.workflowId}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`we-status we-status-${execution.status}`}>{execution.status}</span>
        </dd>
        <dt>Started</dt>
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
          Export
        </button>
        <span id="we-export-help" class="we-help">
          {finished ? `${format}${combined}, as set in the options` : 'It can be exported once it has finished.'}
        </span>
      </p>
      <p class="we-help we-origin">
        Execution {execution.id} on {origin}
      </p>
    </div>
  );
}
