/**
 * The options page's Export history buttons (issue 16.2): **Export history as JSON** and **Import
 * history from JSON**, with what each complete export held, so that Only new since the last export
 * works on another machine (lib/historyTransfer.ts).
 *
 * Decision: the options page opens the databases itself (it is a page of the extension's origin,
 * where they live): a history with manifests of 500,000 files is tens of MB, too big to travel
 * through runtime messages.
 */
import { useState } from 'preact/hooks';
import { ExporterStorage } from '../../lib/storage';
import { t } from '../../lib/i18n';
import { saveJsonFile } from '../saveJsonFile';

export interface HistoryTransferApi {
  exportJson(): Promise<string>;
  importJson(json: string): Promise<{ added: number; skipped: number; manifests: number }>;
}

let storage: ExporterStorage | null = null;
const direct: HistoryTransferApi = {
  exportJson: () => (storage ??= new ExporterStorage()).exportHistoryJson(),
  importJson: (json) => (storage ??= new ExporterStorage()).importHistoryJson(json),
};

export function HistoryTransfer(props: { api?: HistoryTransferApi; onImported: () => void }) {
  const api = props.api ?? direct;
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const exportFile = async () => {
    try {
      await saveJsonFile(await api.exportJson(), 'workflow-exporter-history.json');
      setNote({ kind: 'ok', text: t('saved') });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
  };

  const importFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const report = await api.importJson(await file.text());
      props.onImported();
      setNote({ kind: 'ok', text: t('historyImported', report.added, report.skipped, report.manifests) });
    } catch (err) {
      setNote({ kind: 'error', text: `${file.name}: ${(err as Error).message}` });
    }
  };

  return (
    <div class="we-subsection">
      <p class="we-help">{t('historyTransfer')}</p>
      <div class="we-row">
        <button type="button" class="we-button" onClick={() => void exportFile()}>
          {t('exportHistoryJson')}
        </button>
        <label class="we-button" for="we-history-import">
          {t('importHistoryJson')}
        </label>
        <input id="we-history-import" class="we-visually-hidden" type="file" accept="application/json,.json" onChange={importFile} />
      </div>
      {note &&
        (note.kind === 'error' ? (
          <p class="we-error" role="alert">
            {note.text}
          </p>
        ) : (
          <p class="we-ok" role="status">
            {note.text}
          </p>
        ))}
    </div>
  );
}
