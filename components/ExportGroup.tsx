import { useEffect, useState } from 'preact/hooks';
import type { ExporterActions } from './actions';
import { CaseFilesDialog } from './CaseFilesDialog';
import { CsvDialog } from './CsvDialog';
import { t } from '../lib/i18n';

export interface ExportGroupProps {
  origin: string;
  workflowId: string;
  /** The order selected in the page right now (null: all cases). */
  orderId: string | null;
  actions: ExporterActions;
}

/** Why "Export annotated case files" is off, as its accessible description. */
export const ANNOTATED_NEEDS_ORDER = t('annotatedNeedsOrder');

/** The workflow page's Export group: one button per export, each opening its dialog. */
export function ExportGroup(props: ExportGroupProps) {
  const [open, setOpen] = useState<null | 'case-files' | 'annotated-case-files'>(null);
  const [csvOpen, setCsvOpen] = useState(false);
  // Annotated case files need an order: their dialog closes when the page's order selector is cleared.
  useEffect(() => {
    if (!props.orderId) setOpen((o) => (o === 'annotated-case-files' ? null : o));
  }, [props.orderId]);
  return (
    <div class="we-group" role="group" aria-label={t('extName')}>
      <span class="we-group-label" aria-hidden="true">
        {t('groupExport')}
      </span>
      <button type="button" class="we-button" onClick={() => setCsvOpen(true)}>
        {t('exportCsv')}
      </button>
      <button type="button" class="we-button we-primary" onClick={() => setOpen('case-files')}>
        {t('exportCaseFiles')}
      </button>
      <button
        type="button"
        class="we-button"
        disabled={!props.orderId}
        aria-describedby={props.orderId ? undefined : 'we-why-annotated'}
        title={props.orderId ? undefined : ANNOTATED_NEEDS_ORDER}
        onClick={() => props.orderId && setOpen('annotated-case-files')}
      >
        {t('exportAnnotatedCaseFiles')}
      </button>
      <span id="we-why-annotated" hidden>
        {ANNOTATED_NEEDS_ORDER}
      </span>
      {csvOpen && (
        <CsvDialog
          key={`${props.workflowId}:${props.orderId ?? ''}`}
          origin={props.origin}
          workflowId={props.workflowId}
          orderId={props.orderId}
          actions={props.actions}
          onClose={() => setCsvOpen(false)}
        />
      )}
      {open === 'case-files' && (
        <CaseFilesDialog
          key={`${props.workflowId}:${props.orderId ?? ''}`}
          origin={props.origin}
          workflowId={props.workflowId}
          orderId={props.orderId}
          actions={props.actions}
          onClose={() => setOpen(null)}
        />
      )}
      {open === 'annotated-case-files' && props.orderId && (
        <CaseFilesDialog
          key={`annotated:${props.workflowId}:${props.orderId}`}
          kind="annotated-case-files"
          origin={props.origin}
          workflowId={props.workflowId}
          orderId={props.orderId}
          actions={props.actions}
          onClose={() => setOpen(null)}
        />
      )}
    </div>
  );
}
