import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

/** A modal dialog (native <dialog>: role dialog, focus trapped and restored, Escape closes). */
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
    >
      <header class="we-dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="we-icon-button" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}
