import { useEffect, useState } from 'preact/hooks';
import type { ExporterActions } from './actions';
import { CaseFilesDialog } from './CaseFilesDialog';
import { CsvDialog } from './CsvDialog';

export interface ExportGroupProps {
  origin: string;
  workflowId: string;
  /** The order selected in the page right now (null: all cases). */
  orderId: string | null;
  actions: ExporterActions;
}

/** Why "Export annotated case files" is off, as its accessible description. */
export const ANNOTATED_NEEDS_ORDER = 'Select a workflow order first: annotated case files cover one order.';

/** The workflow page's Export group: one button per export, each opening its dialog. */
export function ExportGroup(props: ExportGroupProps) {
  const [open, setOpen] = useState<null | 'case-files' | 'annotated-case-files'>(null);
  const [csvOpen, setCsvOpen] = useState(false);
  // Annotated case files need an order: their dialog closes when the page's order selector is cleared.
  useEffect(() => {
    if (!props.orderId) setOpen((o) => (o === 'annotated-case-files' ? null : o));
  }, [props.orderId]);
  return (
    <div class="we-group" role="group" aria-label="Workflow Exporter">
      <span class="we-group-label" aria-hidden="true">
        Export
      </span>
      <button type="button" class="we-button" onClick={() => setCsvOpen(true)}>
        Export CSV
      </button>
      <button type="button" class="we-button we-primary" onClick={() => setOpen('case-files')}>
        Export case files
      </button>
      <button
        type="button"
        class="we-button"
        disabled={!props.orderId}
        aria-describedby={props.orderId ? undefined : 'we-why-annotated'}
        title={props.orderId ? undefined : ANNOTATED_NEEDS_ORDER}
        onClick={() => props.orderId && setOpen('annotated-case-files')}
      >
        Export annotated case files
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
