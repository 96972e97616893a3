/**
 * The journal of an archive being written into the private file system (lib/archiveJournal.ts for
 * its format and rules): `exports/<name>.journal` beside `exports/<name>`. An entry's line is
 * appended only once the sink has written every byte of the entry, so after a crash the journal
 * never claims more than the archive holds. Generated entries (report, SHA256SUMS…) are never
 * journaled: a resumed run writes them again, after the files.
 */
import { checkJournalStream, journalHeader, journalLine, type JournalEntry } from '../lib/archiveJournal';
import { exportsDir, openSyncAccess, writeFully, type SyncAccessHandle } from './opfs';
import { piecesOf } from './pieces';

export const journalNameOf = (archiveName: string) => `${archiveName}.journal`;

/** What an exporter needs to go on with an archive (ExportContext.archive). */
export interface ArchiveResume {
  /** Entries already in the archive, in order: not fetched again. */
  readonly resumed: readonly JournalEntry[];
  /** Each entry as the writer completes it (journaled once the sink has written it). */
  record(entry: JournalEntry): void;
}

export interface OpenedJournal extends ArchiveResume {
  /** Where the sink goes on writing the archive (the end of the last resumed entry). */
  readonly startAt: number;
  /** Why an earlier archive was not trusted and the export starts again from zero (null: it was, or none). */
  readonly restartReason: string | null;
  /** The sink has written the archive up to `offset`: journal the entries that are now complete. */
  written(offset: number): void;
  close(): void;
}


/**
 * Opens the journal of archive `name` for export `key`. `resume`: go on from an earlier run's archive
 * if its journal can be trusted; otherwise (or without `resume`) both files start empty.
 */
export async function openJournal(name: string, key: string, resume: boolean): Promise<OpenedJournal> {
  const dir = await exportsDir();
  let resumed: JournalEntry[] = [];
  let startAt = 0;
  let restartReason: string | null = null;
  /** The journal's trusted part, kept as it is (0: it starts again with its header). */
  let kept = 0;
  const journalHandle = await dir.getFileHandle(journalNameOf(name), { create: true });
  if (resume) {
    const archive = await dir.getFileHandle(name).catch(() => null);
    const journalFile = await journalHandle.getFile();
    const size = archive ? (await archive.getFile()).size : 0;
    if (!archive || journalFile.size === 0) restartReason = 'nothing of the earlier run was kept';
    else {
      const { read, trustedBytes } = await checkJournalStream(piecesOf(journalFile), key, size);
      if (read.trusted) {
        resumed = read.entries;
        startAt = read.end;
        kept = trustedBytes;
      } else restartReason = read.reason;
    }
  }
  const access: SyncAccessHandle = await openSyncAccess(journalHandle);
  // Cut back to what was trusted (a torn tail is gone), or started again for an untrusted run: the
  // trusted lines stay where they are, never rewritten. Lines are appended in one write per call
  // of `written` (one per chunk the sink writes, not one per entry). No fsync: the journal, like
  // the archive, survives the browser crashing or being killed, not a power cut.
  const encoder = new TextEncoder();
  let offset = kept;
  const append = (text: string) => {
    const bytes = encoder.encode(text);
    writeFully(access, bytes, offset);
    offset += bytes.byteLength;
  };
  access.truncate(kept);
  if (kept === 0) append(journalHeader(key));
  const pending: JournalEntry[] = [];
  return {
    resumed,
    startAt,
    restartReason,
    record: (e) => pending.push(e),
    written(archiveOffset) {
      let lines = '';
      while (pending.length && pending[0].end <= archiveOffset) lines += journalLine(pending.shift()!);
      if (lines) append(lines);
    },
    close() {
      try {
        access.close();
      } catch {
        /* closed already */
      }
    },
  };
}

export async function removeJournal(name: string): Promise<void> {
  const dir = await exportsDir();
  await dir.removeEntry(journalNameOf(name)).catch(() => {});
}
