import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PlatformClient, type Workflow } from '../lib/platform';
import { csvOptionsFrom, DEFAULT_CSV_OPTIONS, type CsvOptions, type LayoutOption, type SubmissionsOption } from '../lib/csvResults';
import { useExportJob } from './useExportJob';
import type { ExporterActions } from './actions';
import { Dialog } from './Dialog';
import { ExportFooter } from './ExportFooter';
import { OnlyNewField } from './OnlyNewField';
import { t, tParts, type MessageKey } from '../lib/i18n';
import { choice, choices, fieldset, hint, legend } from './choiceStyles';

/** Where the last choices are kept (`chrome.storage.local`). */
export const CSV_OPTIONS_KEY = 'csvOptions';

/** Labels and help are message keys (lib/i18n.ts). */
const SUBMISSIONS: { value: SubmissionsOption; label: MessageKey; help: MessageKey }[] = [
  { value: 'all', label: 'csvAll', help: 'csvAllHelp' },
  { value: 'submitted', label: 'csvSubmitted', help: 'csvSubmittedHelp' },
  { value: 'latest', label: 'csvLatest', help: 'csvLatestHelp' },
];
const LAYOUTS: { value: LayoutOption; label: MessageKey; help: MessageKey | null }[] = [
  { value: 'long', label: 'csvLong', help: null },
  { value: 'wide', label: 'csvWide', help: 'csvWideHelp' },
];


export interface CsvDialogProps {
  origin: string;
  workflowId: string;
  orderId: string | null;
  actions: ExporterActions;
  onClose: () => void;
}

/** "Export CSV": submissions and layout options, BOM, download (product spec 1a). */
export function CsvDialog(props: CsvDialogProps) {
  const [options, setOptions] = useState<CsvOptions>(DEFAULT_CSV_OPTIONS);
  /** The choices stay off until the last ones are loaded (a few ms): what is shown is what is exported. */
  const [loaded, setLoaded] = useState(false);
  const [workflow, setWorkflow] = useState<Workflow | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { job, running, startError, start: startJob } = useExportJob(props.actions);

  useEffect(() => {
    new PlatformClient({ origin: props.origin }).workflow(props.workflowId).then(setWorkflow, (err: Error) => setLoadError(err.message));
  }, [props.origin, props.workflowId]);

  useEffect(() => {
    browser.storage.local
      .get(CSV_OPTIONS_KEY)
      .then((got) => setOptions(csvOptionsFrom((got as Record<string, unknown>)[CSV_OPTIONS_KEY])))
      .catch(() => {})
      .finally(() => setLoaded(true));
  }, []);
  const disabled = running || !loaded;
  /** Only new since the last export (issue 16.2): a choice per export, not remembered. */
  const [onlyNew, setOnlyNew] = useState(false);

  const choose = (patch: Partial<CsvOptions>) => {
    const next = { ...options, ...patch };
    setOptions(next);
    void browser.storage.local.set({ [CSV_OPTIONS_KEY]: next }).catch(() => {});
  };

  const start = () => {
    void browser.storage.local.set({ [CSV_OPTIONS_KEY]: options }).catch(() => {});
    return startJob({
      kind: 'csv',
      origin: props.origin,
      workflowId: props.workflowId,
      orderId: props.orderId,
      submissions: options.submissions,
      layout: options.layout,
      bom: options.bom,
      ...(onlyNew ? { onlyNew } : {}),
    });
  };

  const orderName = workflow && props.orderId ? workflow.orders.find((o) => o.id === props.orderId)?.name : null;

  return (
    <Dialog title={t('exportCsv')} onClose={props.onClose}>
      <p class="we-scope">
        {workflow ? (
          orderName ? (
            tParts('scopeWithOrder', <strong>{workflow.name}</strong>, <strong>{orderName}</strong>)
          ) : (
            tParts('scopeAllCases', <strong>{workflow.name}</strong>)
          )
        ) : loadError ? (
          <span class="we-error" role="alert">
            {t('loadWorkflowFailed', loadError)}
          </span>
        ) : (
          t('loading')
        )}
      </p>
      <fieldset style={fieldset} disabled={disabled}>
        <legend style={legend}>{t('submissions')}</legend>
        <div style={choices}>
          {SUBMISSIONS.map((o) => (
            <span style={choice}>
              <label style={choice}>
                <input
                  type="radio"
                  name="we-csv-submissions"
                  value={o.value}
                  checked={options.submissions === o.value}
                  aria-describedby={`we-csv-sub-${o.value}`}
                  onChange={() => choose({ submissions: o.value })}
                />
                {t(o.label)}
              </label>
              <span id={`we-csv-sub-${o.value}`} style={hint}>
                ({t(o.help)})
              </span>
            </span>
          ))}
        </div>
      </fieldset>
      <fieldset style={fieldset} disabled={disabled}>
        <legend style={legend}>{t('layout')}</legend>
        <div style={choices}>
          {LAYOUTS.map((o) => (
            <span style={choice}>
              <label style={choice}>
                <input
                  type="radio"
                  name="we-csv-layout"
                  value={o.value}
                  checked={options.layout === o.value}
                  aria-describedby={o.help ? `we-csv-layout-${o.value}` : undefined}
                  onChange={() => choose({ layout: o.value })}
                />
                {t(o.label)}
              </label>
              {o.help && (
                <span id={`we-csv-layout-${o.value}`} style={hint}>
                  ({t(o.help)})
                </span>
              )}
            </span>
          ))}
        </div>
      </fieldset>
      <label style={{ ...choice, margin: '2px 0 4px' }}>
        <input type="checkbox" checked={options.bom} disabled={disabled} onChange={(e) => choose({ bom: (e.target as HTMLInputElement).checked })} />
        {t('csvBom')}
      </label>
      <OnlyNewField
        actions={props.actions}
        kind="csv"
        submissions={options.submissions}
        origin={props.origin}
        workflowId={props.workflowId}
        orderId={props.orderId}
        checked={onlyNew}
        onChange={setOnlyNew}
        disabled={disabled}
        job={job}
      />
      <p class="we-help">
        {tParts('csvHelp', <code>meta.…</code>, <code>'</code>)}
      </p>
      <ExportFooter
        startError={startError}
        job={job}
        onCancel={(id) => void props.actions.cancelExport(id)}
        onClose={props.onClose}
        label={t('download')}
        disabled={disabled}
        onStart={() => void start()}
      />
    </Dialog>
  );
}
