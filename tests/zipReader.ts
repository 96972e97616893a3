/** Reads every file entry of a ZIP with yauzl, a reader independent of the writer (workers/storedZip.ts). */
import yauzl from 'yauzl';

export interface ReadEntry {
  path: string;
  bytes: Buffer;
}

/** `source`: a file path or the archive's bytes. Folder entries are skipped. */
export function readZipEntries(source: string | Buffer): Promise<ReadEntry[]> {
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
