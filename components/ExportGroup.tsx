import { useState } from 'preact/hooks';
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

/** Why a button is off, as its accessible description. */
export const NOT_YET_ANNOTATED = 'Annotated case files are not available in this version of Workflow Exporter yet.';

/** The workflow page's Export group: one button per export, each opening its dialog. */
export function ExportGroup(props: ExportGroupProps) {
  const [open, setOpen] = useState<null | 'case-files'>(null);
  const [csvOpen, setCsvOpen] = useState(false);
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
      <button type="button" class="we-button" disabled aria-describedby="we-why-annotated">
        Export annotated case files
      </button>
      <span id="we-why-annotated" hidden>
        {NOT_YET_ANNOTATED}
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
    </div>
  );
}
