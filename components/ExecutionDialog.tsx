import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PlatformClient, isExecutionFinished, type Execution } from '../lib/platform';
import { useExportJob } from './useExportJob';
import { executionArchiveFileName } from '../lib/naming';
// Types only: lib/executionDocs.ts holds marked, which the content script must not carry.
import type { ExecutionExportOptions } from '../lib/executionDocs';
import type { ExporterActions } from './actions';
import { Dialog } from './Dialog';
import { ExportFooter } from './ExportFooter';
import { t, tParts } from '../lib/i18n';

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
  const { job, running, startError, start: startJob } = useExportJob(props.actions);

  useEffect(() => {
    loadOptions().then(setOptions);
  }, []);
  useEffect(() => {
    new PlatformClient({ origin: props.origin }).execution(props.executionId).then(setExecution, (err: Error) => setLoadError(err.message));
  }, [props.origin, props.executionId]);

  const change = (patch: Partial<ExecutionExportOptions>) => {
    const next = { ...(options ?? DEFAULT_EXECUTION_OPTIONS), ...patch };
    setOptions(next);
    saveOptions(next);
  };

  const start = () => {
    if (!options) return;
    saveOptions(options);
    // The same request as `executionExportRequest(origin, executionId, options)` (lib/executionDocs.ts).
    return startJob({
      kind: 'execution',
      origin: props.origin,
      executionId: props.executionId,
      format: options.format,
      combine: options.combine,
    });
  };

  const finished = execution ? isExecutionFinished(execution.status) : true;
  const archive = execution ? executionArchiveFileName(execution.workflow.name, execution.startedAt, execution.id) : null;
  const disabled = running || !options;

  return (
    <Dialog title={t('exportExecution')} onClose={props.onClose}>
      <p class="we-scope">
        {execution ? (
          tParts(
            'executionScope',
            <strong>{execution.workflow.name}</strong>,
            <strong>{execution.id}</strong>,
            execution.status,
            t(execution.steps.length === 1 ? 'stepsOne' : 'stepsMany', execution.steps.length),
          )
        ) : loadError ? (
          <span class="we-error" role="alert">
            {t('loadExecutionFailed', loadError)}
          </span>
        ) : (
          t('loading')
        )}
      </p>
      <fieldset class="we-fieldset" disabled={disabled} style={{ border: '1px solid var(--we-border)', borderRadius: '8px', padding: '8px 14px 10px', margin: '0 0 10px' }}>
        <legend class="we-label" style={{ padding: '0 4px', margin: 0 }}>
          {t('format')}
        </legend>
        <label style={{ marginRight: '18px', cursor: 'pointer' }}>
          <input
            type="radio"
            name="we-execution-format"
            value="markdown"
            checked={options?.format !== 'html'}
            onChange={() => change({ format: 'markdown' })}
          />{' '}
          {t('formatMarkdown')}
        </label>
        <label style={{ cursor: 'pointer' }}>
          <input type="radio" name="we-execution-format" value="html" checked={options?.format === 'html'} onChange={() => change({ format: 'html' })} />{' '}
          {t('formatHtml')}
        </label>
      </fieldset>
      <label style={{ display: 'block', cursor: 'pointer', margin: '0 0 4px' }}>
        <input
          type="checkbox"
          checked={options?.combine ?? false}
          disabled={disabled}
          onChange={(e) => change({ combine: (e.target as HTMLInputElement).checked })}
        />{' '}
        {t('combine')}
      </label>
      <p class="we-help">
        {options?.combine
          ? t('combineHelpOn')
          : t('combineHelpOff')}
        {archive && (
          <>
            {' '}
            {tParts('savesArchive', <code>{archive}</code>)}
          </>
        )}
      </p>
      {!finished && (
        <p class="we-error" role="alert">
          {t('notFinishedYet')}
        </p>
      )}
      <ExportFooter
        startError={startError}
        job={job}
        onCancel={(id) => void props.actions.cancelExport(id)}
        onClose={props.onClose}
        label={t('exportButton')}
        disabled={disabled || !finished}
        onStart={() => void start()}
      />
    </Dialog>
  );
}
