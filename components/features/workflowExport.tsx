import { render } from 'preact';
import { selectedOrderId, selectors } from '../../lib/platform';
import type { Feature } from './feature';
import { ExportGroup } from '../ExportGroup';

/** The Export group on the workflow page; follows the order selector live. */
export const workflowExport: Feature = {
  id: 'workflow-export',
  applies: (page) => page.kind === 'workflow',
  init({ page, mount, actions, signal }) {
    if (page.kind !== 'workflow') return;
    const toolbar = document.querySelector(`${selectors.workflowMain} ${selectors.toolbar}`);
    if (!toolbar) return;
    const root = mount(toolbar, this.id);
    const draw = () =>
      render(
        <ExportGroup origin={location.origin} workflowId={page.workflowId} orderId={selectedOrderId(document)} actions={actions} />,
        root,
      );
    draw();
    document.addEventListener('change', (e) => (e.target as Element)?.matches?.(selectors.orderSelect) && draw(), { signal, capture: true });
    signal.addEventListener('abort', () => render(null, root));
  },
};
