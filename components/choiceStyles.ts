/** The look of the dialogs' groups of radios and checkboxes (CSV choices, image and label-file options). */
import type { JSX } from 'preact';

export const fieldset: JSX.CSSProperties = { border: '1px solid var(--we-border)', borderRadius: '8px', padding: '8px 12px 10px', margin: '0 0 10px' };
export const legend: JSX.CSSProperties = { fontWeight: 600, padding: '0 4px' };
export const choices: JSX.CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: '6px 18px' };
export const choice: JSX.CSSProperties = { display: 'inline-flex', alignItems: 'baseline', gap: '6px', cursor: 'pointer' };
export const hint: JSX.CSSProperties = { color: 'var(--we-muted)', fontSize: '12px' };
