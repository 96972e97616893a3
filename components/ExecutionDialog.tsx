import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PlatformClient, isExecutionFinished, type Execution } from '../lib/platform';
import { isJobActive, type JobState } from '../lib/jobs';
import { executionArchiveFileName } from '../lib/naming';
// Types only: lib/executionDocs.ts holds marked, which the content script must not carry.
import type { ExecutionExportOptions } from '../lib/executionDocs';
import type { ExporterActions } from './actions';
import { Dialog } from './Dialog';
import { JobProgress } from './JobProgress';

/** chrome.storage.local key of the last format and "combine" choice. */
export const EXECUTION_OPTIONS_KEY = 'executionOptions';
/** As `DEFAULT_EXECUTION_OPTIONS` of lib/executionDocs.ts. */
const DEFAULT_EXECUTION_OPTIONS: ExecutionExportOptions = { format: 'markdown', combine: false };

async function loadOptions(): Promise<ExecutionExportOptions> {
  try {
    const got = (await browser.storage.local.get(EXECUTION_OPTIONS_KEY)) as Record<string, Partial<ExecutionExportOptions> | undefined>;
    const v = got[EXECUTION_OPTIONS_KEY];
    return {
      format: v?.format === 'html' ? 'html' : 'markdown',
      combine: typeof v?.combine === 'boolean' ? v.combine : DEFAULT_EXECUTION_OPTIONS.combine,
    };
  } catch {
    return { ...DEFAULT_EXECUTION_OPTIONS };
  }
}

function saveOptions(options: ExecutionExportOptions) {
  browser.storage.local.set({ [EXECUTION_OPTIONS_KEY]: options }).catch(() => undefined);
}

export interface ExecutionDialogProps {
  origin: string;
  executionId: string;
  actions: ExporterActions;
  onClose: () => void;
}

/** "Export execution": format (Markdown or HTML), "Combine results into a single file", Export. */
export function ExecutionDialog(props: ExecutionDialogProps) {
  const [options, setOptions] = useState<ExecutionExportOptions | null>(null);
  const [execution, setExecution] = useState<Execution | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [updates, setUpdates] = useState<Record<string, JobState>>({});
  const [startError, setStartError] = useState<string | null>(null);

  useEffect(() => {
    loadOptions().then(setOptions);
  }, []);
  useEffect(() => {
    new PlatformClient({ origin: props.origin }).execution(props.executionId).then(setExecution, (err: Error) => setLoadError(err.message));
  }, [props.origin, props.executionId]);
  // Keep every update: the first may arrive before startExport answers.
  useEffect(() => props.actions.onJobUpdate((j) => setUpdates((u) => ({ ...u, [j.id]: j }))), [props.actions]);
  const job = jobId ? (updates[jobId] ?? null) : null;
  const running = jobId !== null && (!job || isJobActive(job));

  const change = (patch: Partial<ExecutionExportOptions>) => {
    const next = { ...(options ?? DEFAULT_EXECUTION_OPTIONS), ...patch };
    setOptions(next);
    saveOptions(next);
  };

  const start = async () => {
    if (!options) return;
    setStartError(null);
    saveOptions(options);
    try {
      // The same request as `executionExportRequest(origin, executionId, options)` (lib/executionDocs.ts).
      const reply = await props.actions.startExport({
        kind: 'execution',
        origin: props.origin,
        executionId: props.executionId,
        format: options.format,
        combine: options.combine,
      });
      setJobId(reply.jobId);
    } catch (err) {
      setStartError((err as Error).message);
    }
  };

  const finished = execution ? isExecutionFinished(execution.status) : true;
  const archive = execution ? executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id) : null;
  const disabled = running || !options;

  return (
    <Dialog title="Export execution" onClose={props.onClose}>
      <p class="we-scope">
        {execution ? (
          <>
            <strong>{execution.workflow.name}</strong> · execution <strong>{execution.id}</strong> · {execution.status} ·{' '}
            {execution.steps.length} {execution.steps.length === 1 ? 'step' : 'steps'}
          </>
        ) : loadError ? (
          <span class="we-error" role="alert">
            Could not load the execution: {loadError}
          </span>
        ) : (
          'Loading…'
        )}
      </p>
      <fieldset class="we-fieldset" disabled={disabled} style={{ border: '1px solid #cbd5e1', borderRadius: '8px', padding: '8px 14px 10px', margin: '0 0 10px' }}>
        <legend class="we-label" style={{ padding: '0 4px', margin: 0 }}>
          Format
        </legend>
        <label style={{ marginRight: '18px', cursor: 'pointer' }}>
          <input
            type="radio"
            name="we-execution-format"
            value="markdown"
            checked={options?.format !== 'html'}
            onChange={() => change({ format: 'markdown' })}
          />{' '}
          Markdown
        </label>
        <label style={{ cursor: 'pointer' }}>
          <input type="radio" name="we-execution-format" value="html" checked={options?.format === 'html'} onChange={() => change({ format: 'html' })} />{' '}
          HTML
        </label>
      </fieldset>
      <label style={{ display: 'block', cursor: 'pointer', margin: '0 0 4px' }}>
        <input
          type="checkbox"
          checked={options?.combine ?? false}
          disabled={disabled}
          onChange={(e) => change({ combine: (e.target as HTMLInputElement).checked })}
        />{' '}
        Combine results into a single file
      </label>
      <p class="we-help">
        {options?.combine
          ? 'The ZIP holds one file with every step in order and a table of contents.'
          : 'The ZIP holds one file per step, named after the step and its status.'}
        {archive && (
          <>
            {' '}
            Saves <code>{archive}</code>.
          </>
        )}
      </p>
      {!finished && (
        <p class="we-error" role="alert">
          This execution has not finished yet: it can be exported once it has.
        </p>
      )}
      {startError && (
        <p class="we-error" role="alert">
          {startError}
        </p>
      )}
      {job && <JobProgress job={job} onCancel={() => props.actions.cancelExport(job.id)} />}
      <footer class="we-dialog-footer">
        <button type="button" class="we-button" onClick={props.onClose}>
          Close
        </button>
        <button type="button" class="we-button we-primary" disabled={disabled || !finished} onClick={start}>
          Export
        </button>
      </footer>
    </Dialog>
  );
}
