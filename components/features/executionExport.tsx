import { render } from 'preact';
import { useState } from 'preact/hooks';
import { isExecutionFinished, selectors } from '../../lib/platform';
import type { ExporterActions } from '../actions';
import { ExecutionDialog } from '../ExecutionDialog';
import type { Feature } from './feature';
import { t } from '../../lib/i18n';

/** Why "Export as" is off, as its accessible (and visible) description. */
export const NOT_FINISHED_REASON = t('notFinishedReason');

function ExecutionExportGroup(props: { origin: string; executionId: string; status: string; actions: ExporterActions }) {
  const [open, setOpen] = useState(false);
  const finished = isExecutionFinished(props.status);
  return (
    <div class="we-group" role="group" aria-label={t('extName')}>
      <span class="we-group-label" aria-hidden="true">
        {t('groupExport')}
      </span>
      <button
        type="button"
        class="we-button we-primary"
        disabled={!finished}
        aria-describedby={finished ? undefined : 'we-why-execution'}
        onClick={() => setOpen(true)}
      >
        {t('exportAs')}
      </button>
      {!finished && (
        <span id="we-why-execution" class="we-help" style={{ margin: 0 }}>
          {NOT_FINISHED_REASON}
        </span>
      )}
      {open && finished && (
        <ExecutionDialog origin={props.origin} executionId={props.executionId} actions={props.actions} onClose={() => setOpen(false)} />
      )}
    </div>
  );
}

/**
 * The execution page: "Export as" in the toolbar, enabled only once the execution has finished; it
 * follows the page's `data-status` live (the platform changes it in place while the execution runs).
 */
export const executionExport: Feature = {
  id: 'execution-export',
  applies: (page) => page.kind === 'execution',
  init({ page, mount, actions, signal }) {
    if (page.kind !== 'execution') return;
    const main = document.querySelector<HTMLElement>(selectors.executionMain);
    const toolbar = main?.querySelector(selectors.toolbar);
    if (!main || !toolbar) return;
    const root = mount(toolbar, this.id);
    const draw = () =>
      render(
        <ExecutionExportGroup
          origin={location.origin}
          executionId={main.dataset.executionId ?? page.executionId}
          status={main.dataset.status ?? ''}
          actions={actions}
        />,
        root,
      );
    draw();
    const observer = new MutationObserver(draw);
    observer.observe(main, { attributes: true, attributeFilter: ['data-status'] });
    signal.addEventListener('abort', () => {
      observer.disconnect();
      render(null, root);
    });
  },
};
