import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t } from '../lib/i18n';

const FOCUSABLE = 'button, [href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/** The dialog's controls Tab can reach, in order. */
function tabbable(dialog: HTMLDialogElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && !el.closest('[hidden], fieldset:disabled') && el.getClientRects().length > 0,
  );
}

/**
 * A modal dialog (native <dialog>: role dialog, the rest of the page inert, Escape closes). Tab and
 * Shift+Tab cycle through its controls (the browser would go on to its own toolbar), and focus goes
 * back to the control that opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current!;
    const previous = (dialog.getRootNode() as Document | ShadowRoot).activeElement ?? document.activeElement;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (previous instanceof HTMLElement) previous.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      class={`we-dialog ${props.class ?? ''}`}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Tab') return;
        const dialog = ref.current!;
        const items = tabbable(dialog);
        if (items.length === 0) return;
        const active = (dialog.getRootNode() as Document | ShadowRoot).activeElement;
        const first = items[0];
        const last = items[items.length - 1];
        const inside = active instanceof HTMLElement && dialog.contains(active);
        if (e.shiftKey && (!inside || active === first)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && (!inside || active === last)) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      <header class="we-dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="we-icon-button" aria-label={t('close')} onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}
