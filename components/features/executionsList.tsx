import { render } from 'preact';
import { useState } from 'preact/hooks';
import { isExecutionFinished, selectors } from '../../lib/platform';
import type { ExporterActions } from '../actions';
import { ExecutionDialog } from '../ExecutionDialog';
import type { Feature } from './feature';
import { t } from '../../lib/i18n';

const HOST_TAG = 'workflow-exporter';

function RowDownload(props: { origin: string; executionId: string; actions: ExporterActions }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        class="we-button"
        style={{ padding: '3px 10px' }}
        title={t('rowDownloadTitle', props.executionId)}
        onClick={() => setOpen(true)}
      >
        {t('download')}
      </button>
      {open && <ExecutionDialog origin={props.origin} executionId={props.executionId} actions={props.actions} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * The executions list: a "Download" button in each finished row's actions cell (one shadow host per
 * row), opening the execution dialog for that execution. Rows that finish later get the button as
 * their `data-status` changes; a row that runs again loses it (its host stays, empty).
 */
export const executionsList: Feature = {
  id: 'executions-list',
  applies: (page) => page.kind === 'executions',
  init({ mount, actions, signal }) {
    const main = document.querySelector<HTMLElement>(selectors.executionsMain);
    if (!main) return;
    const roots = new Map<Element, HTMLElement>();
    const sync = () => {
      for (const row of main.querySelectorAll<HTMLElement>(selectors.executionRow)) {
        const finished = isExecutionFinished(row.dataset.status ?? '');
        let root = roots.get(row);
        if (!root) {
          if (!finished) continue;
          const cell = row.querySelector(selectors.rowActions);
          if (!cell) continue;
          root = mount(cell, this.id);
          roots.set(row, root);
        }
        render(finished ? <RowDownload origin={location.origin} executionId={row.dataset.executionId ?? ''} actions={actions} /> : null, root);
      }
    };
    sync();
    const ours = (n: Node) => n instanceof Element && n.localName === HOST_TAG;
    const observer = new MutationObserver((records) => {
      if (records.some((r) => r.type === 'attributes' || [...r.addedNodes].some((n) => !ours(n)))) sync();
    });
    observer.observe(main, { attributes: true, attributeFilter: ['data-status'], subtree: true, childList: true });
    signal.addEventListener('abort', () => {
      observer.disconnect();
      for (const root of roots.values()) render(null, root);
    });
  },
};
