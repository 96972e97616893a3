/**
 * Reads every file entry of a ZIP with yauzl, a reader independent of the writer (workers/storedZip.ts).
 * Every archive the tests read this way has its `SHA256SUMS` checked: each entry listed once, with
 * the SHA-256 of its bytes, nothing else listed. The list is then left out of what the test sees
 * (`keepChecksums` keeps it), so tests compare the user's entries.
 */
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { SHA256SUMS_NAME } from '../lib/sha256sums';

export interface ReadEntry {
  path: string;
  bytes: Buffer;
}

export interface ReadOptions {
  /** Fail when the archive has no `SHA256SUMS` (every archive of ours has one). */
  requireChecksums?: boolean;
  keepChecksums?: boolean;
}

/** `source`: a file path or the archive's bytes. Folder entries are skipped. */
export async function readZipEntries(source: string | Buffer, opts: ReadOptions = {}): Promise<ReadEntry[]> {
  const entries = await readAll(source);
  const list = entries.find((e) => e.path === SHA256SUMS_NAME);
  if (!list) {
    if (opts.requireChecksums) throw new Error(`The archive has no ${SHA256SUMS_NAME}`);
    return entries;
  }
  const rest = entries.filter((e) => e !== list);
  checkSums(list.bytes.toString('utf8'), rest);
  return opts.keepChecksums ? entries : rest;
}

/** `SHA256SUMS` read as `sha256sum -c` does (GNU escapes included) and compared with the entries. */
export function checkSums(text: string, entries: ReadEntry[]) {
  const listed = new Map<string, string>();
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^(\\?)([0-9a-f]{64})  (.*)$/s.exec(line);
    if (!m) throw new Error(`${SHA256SUMS_NAME}: a line sha256sum cannot read: ${JSON.stringify(line)}`);
    const path = m[1] ? m[3].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)) : m[3];
    if (listed.has(path)) throw new Error(`${SHA256SUMS_NAME} lists ${path} twice`);
    listed.set(path, m[2]);
  }
  if (!text.endsWith('\n') && text !== '') throw new Error(`${SHA256SUMS_NAME} does not end with a newline`);
  for (const e of entries) {
    const want = listed.get(e.path);
    if (!want) throw new Error(`${SHA256SUMS_NAME} does not list ${e.path}`);
    const got = createHash('sha256').update(e.bytes).digest('hex');
    if (got !== want) throw new Error(`${SHA256SUMS_NAME}: ${e.path} has SHA-256 ${got}, the list says ${want}`);
    listed.delete(e.path);
  }
  if (listed.size) throw new Error(`${SHA256SUMS_NAME} lists entries the archive lacks: ${[...listed.keys()].join(', ')}`);
}

function readAll(source: string | Buffer): Promise<ReadEntry[]> {
  return new Promise((resolve, reject) => {
    const options = { lazyEntries: true, decodeStrings: true, strictFileNames: false, validateEntrySizes: true };
    const opened = (err: Error | null, zip?: yauzl.ZipFile) => {
      if (err || !zip) return reject(err);
      const entries: ReadEntry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({ path: entry.fileName, bytes: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    };
    if (typeof source === 'string') yauzl.open(source, options, opened);
    else yauzl.fromBuffer(source, options, opened);
  });
}

/** The entries as a map from path to bytes. */
export const unzipToMap = async (source: string | Buffer) =>
  new Map((await readZipEntries(source)).map((e) => [e.path, e.bytes]));
