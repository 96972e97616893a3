/** The options page's Export history section: the exports that ended, and the history as JSON. */
import type { HistoryEntry } from '../../lib/storage';
import { formatBytes } from '../../lib/jobs';
import { t, type MessageKey } from '../../lib/i18n';
import { HistoryTransfer } from './HistoryTransfer';

const KIND_LABELS: Record<HistoryEntry['kind'], MessageKey> = {
  'case-files': 'kindCaseFiles',
  'annotated-case-files': 'kindAnnotatedCaseFiles',
  csv: 'kindCsv',
  execution: 'kindExecution',
};

export function History(props: { entries: HistoryEntry[]; reload: () => void }) {
  return (
    <section class="we-section" aria-labelledby="we-history">
      <h2 id="we-history">{t('exportHistory')}</h2>
      {props.entries.length === 0 ? (
        <p class="we-help">{t('noExports')}</p>
      ) : (
        <table class="we-table" aria-label={t('exportHistory')}>
          <thead>
            <tr>
              <th scope="col">{t('colStarted')}</th>
              <th scope="col">{t('colKind')}</th>
              <th scope="col">{t('colFile')}</th>
              <th scope="col">{t('colResult')}</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((h) => (
              <tr key={h.id}>
                <td>{new Date(h.startedAt).toLocaleString()}</td>
                <td>{KIND_LABELS[h.kind] ? t(KIND_LABELS[h.kind]) : h.kind}</td>
                <td class="we-file-cell">{h.result.filename || '—'}</td>
                <td>
                  {h.result.phase === 'done'
                    ? h.result.failed
                      ? t('historyDoneFailed', h.result.files, formatBytes(h.result.archiveBytes), h.result.failed)
                      : t('historyDone', h.result.files, formatBytes(h.result.archiveBytes))
                    : h.result.phase === 'failed'
                      ? t('historyFailed', h.result.error ?? '')
                      : t('historyCancelled')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <HistoryTransfer onImported={props.reload} />
    </section>
  );
}
