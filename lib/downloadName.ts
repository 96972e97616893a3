/**
 * The name the background gives a finished export in the downloads API. The engine names the file
 * (lib/naming.ts: it needs the workflow's name from the platform); the background takes that name
 * only when it is one our naming can produce for the job's kind: one safe segment (no folders, no
 * `..`, nothing sanitising would change), at most 200 UTF-8 bytes, with the kind's own suffix.
 * Anything else is replaced by a name the background derives itself from the job, so the export is
 * never lost to a bad name and never lands outside the Downloads folder or under another type.
 */
import type { ExportKind } from './jobs';
import { MAX_DOWNLOAD_NAME_BYTES, sanitizeSegment, utf8ByteLength } from './naming';
import { NEW_SINCE_PATTERN } from './delta';

/** The end of every download name of a kind (lib/naming.ts, lib/executionDocs.ts). */
export const DOWNLOAD_SUFFIX: Record<ExportKind, string> = {
  'case-files': '_case-files.zip',
  'annotated-case-files': '_annotated-case-files.zip',
  csv: '_results.csv',
  execution: '.zip',
};

/** Whether `name` is a download name our naming could have made for `kind`. */
export function isSafeDownloadName(name: string, kind: ExportKind): boolean {
  const suffix = DOWNLOAD_SUFFIX[kind];
  return (
    typeof name === 'string' &&
    name.length > suffix.length &&
    withoutNewSince(name, kind).endsWith(suffix) &&
    utf8ByteLength(name) <= MAX_DOWNLOAD_NAME_BYTES &&
    !/^[\s.]/u.test(name) &&
    !/[/\\\p{Cf}]/u.test(name) &&
    sanitizeSegment(name) === name
  );
}

/**
 * `name` without a delta export's `_new-since_<YYYY-MM-DD_HH-mm-ss>` before its extension (issue
 * 16.2, lib/delta.ts), for the kinds that have one; any other name as it is.
 */
function withoutNewSince(name: string, kind: ExportKind): string {
  if (kind === 'execution') return name;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return name;
  const stem = name.slice(0, dot);
  return NEW_SINCE_PATTERN.test(stem) ? stem.replace(NEW_SINCE_PATTERN, '') + name.slice(dot) : name;
}

/** The engine's name when it is safe, else `workflow-export_<first 8 of the job id><suffix>`. */
export function downloadNameFor(name: string, kind: ExportKind, jobId: string): string {
  if (isSafeDownloadName(name, kind)) return name;
  const id = jobId.replace(/[^0-9a-z]/gi, '').slice(0, 8) || 'export';
  return `workflow-export_${id}${DOWNLOAD_SUFFIX[kind]}`;
}
