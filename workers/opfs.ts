/**
 * The sink: archives are written into the origin-private file system (OPFS) with a synchronous
 * access handle (workers only; fastest, flat memory). In Chrome each chunk also goes on into the
 * download stream (workers/downloadStream.ts) and the file is only the journaled copy, downloaded
 * when the stream fails; in Firefox the finished file is handed to the downloads API as a
 * disk-backed File. Files live in `exports/<jobId>`.
 */
import { timed, type StageClock } from './stages';
import { isJobActive, type JobState } from '../lib/jobs';
import { ARCHIVES_DIR } from '../lib/streamDownload';
import { bufferPool } from './bufferPool';

export const EXPORTS_DIR = ARCHIVES_DIR;
/** Where downloads wait while their checksum is checked (workers/buffering.ts): `tmp/<jobId>/`. */
export const TEMP_DIR = 'tmp';

export async function exportsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(EXPORTS_DIR, { create: true });
}

export interface SinkOptions {
  clock?: StageClock;
  /** Keep the file's first `startAt` bytes (a resumed archive) and append the stream after them. */
  startAt?: number;
  /** After each write: the file now holds this many bytes (the archive journal listens). */
  onWritten?: (offset: number) => void;
  /**
   * Chrome: the download stream (workers/downloadStream.ts), which reads this file as it is written.
   * Each write waits while a range of it is read; after each, the stream is told how far the file
   * goes, awaited: the download's backpressure paces the export.
   */
  mirror?: { beforeWrite(): Promise<void>; written(offset: number): Promise<void> };
}

/** Writes the stream to `exports/<name>`; on any error or abort the file is removed. Returns its size. */
export async function writeStreamToOpfs(name: string, stream: ReadableStream<Uint8Array>, signal: AbortSignal, opts: SinkOptions = {}): Promise<number> {
  const dir = await exportsDir();
  const access = await openSyncAccess(await dir.getFileHandle(name, { create: true }));
  const reader = stream.getReader();
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const startAt = opts.startAt ?? 0;
    access.truncate(startAt);
    const out = appendWriter(access, 0, startAt);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (signal.aborted) throw signal.reason;
      await opts.mirror?.beforeWrite();
      timed(opts.clock, 'write', () => out.write(value));
      bufferPool.written(value);
      opts.onWritten?.(out.offset);
      await opts.mirror?.written(out.offset);
    }
    if (signal.aborted) throw signal.reason;
    await opts.mirror?.beforeWrite();
    out.end();
    access.close();
    return out.offset;
  } catch (err) {
    try {
      access.close();
    } catch {
      /* already closed */
    }
    await dir.removeEntry(name).catch(() => {});
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export interface SyncAccessHandle {
  write(buffer: ArrayBufferView, opts?: { at?: number }): number;
  truncate(size: number): void;
  close(): void;
}

/** A synchronous access handle (dedicated workers only; lib.dom types lack it in some versions). */
export const openSyncAccess = (handle: FileSystemFileHandle): Promise<SyncAccessHandle> =>
  (handle as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> }).createSyncAccessHandle();

/** Writes all of `chunk` at `at` (a write may take fewer bytes than asked). */
export function writeFully(access: SyncAccessHandle, chunk: Uint8Array, at: number): void {
  let written = 0;
  while (written < chunk.byteLength) written += access.write(chunk.subarray(written), { at: at + written });
}

const MiB = 2 ** 20;

/**
 * Appends chunks to a file, growing it ahead in steps (`sizeHint` at once when the size is known):
 * in Chromium each write that grows the file asks the browser for quota, so writing into space
 * already there is 2–5× faster (1 GiB in 4 MiB writes: 290–710 MB/s growing, 1.3–1.8 GB/s ahead,
 * measured here). `end` trims the file to the bytes written; `start`: append after a file's first bytes. No `flush`: that is an fsync (0.5 s per
 * GB here), and these files only live until the download has copied them; what a crash would lose
 * is the export, which is started again anyway.
 */
export function appendWriter(access: SyncAccessHandle, sizeHint = 0, start = 0) {
  let offset = start;
  let allocated = start;
  return {
    get offset() {
      return offset;
    },
    write(chunk: Uint8Array) {
      const need = offset + chunk.byteLength;
      if (need > allocated) {
        allocated = need <= sizeHint ? sizeHint : need + Math.min(Math.max(allocated, 64 * MiB), 1024 * MiB);
        access.truncate(allocated);
      }
      writeFully(access, chunk, offset);
      offset = need;
    },
    end() {
      if (allocated !== offset) access.truncate(offset);
    },
  };
}

export async function opfsFile(name: string): Promise<File> {
  const dir = await exportsDir();
  return (await dir.getFileHandle(name)).getFile();
}

export async function removeOpfsFile(name: string): Promise<void> {
  const dir = await exportsDir();
  await dir.removeEntry(name).catch(() => {});
}

/** The part of the private file system the sweep needs (a real directory handle, or a fake in tests). */
export interface SweepDir {
  entries(): AsyncIterable<[string, { kind: 'file' | 'directory' }]>;
  removeEntry(name: string, opts?: { recursive?: boolean }): Promise<void>;
}

/**
 * The job an entry of ours belongs to: `exports/<jobId>.part` and its journal
 * `exports/<jobId>.part.journal` (workers/journal.ts), `tmp/<jobId>/`; null for any other name.
 */
export function leftoverJobId(dir: typeof EXPORTS_DIR | typeof TEMP_DIR, name: string, kind: 'file' | 'directory'): string | null {
  if (dir === TEMP_DIR) return kind === 'directory' && name.length > 0 ? name : null;
  const m = kind === 'file' ? /^(.+)\.part(?:\.journal)?$/.exec(name) : null;
  return m ? m[1] : null;
}

/**
 * **Leftover sweep**: removes what jobs that no longer exist (a crash, an update, a closed browser)
 * left in the private file system: archives in `exports/`, temp files in `tmp/`. An entry is kept
 * while `isLive(jobId)` says its job lives (asked at the moment of removal, so a job started during
 * the sweep is safe); an entry of neither form is not ours to judge and is left alone, as is one the
 * browser refuses to remove (still open). Returns the paths removed.
 */
export async function sweepLeftovers(dirs: { exports: SweepDir; tmp: SweepDir }, isLive: (jobId: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const [name, dir] of [
    [EXPORTS_DIR, dirs.exports],
    [TEMP_DIR, dirs.tmp],
  ] as const) {
    const found: [string, 'file' | 'directory'][] = [];
    for await (const [entry, handle] of dir.entries()) found.push([entry, handle.kind]);
    for (const [entry, kind] of found) {
      const jobId = leftoverJobId(name, entry, kind);
      if (jobId === null || isLive(jobId)) continue;
      try {
        await dir.removeEntry(entry, { recursive: kind === 'directory' });
        removed.push(`${name}/${entry}`);
      } catch {
        /* still open by someone, or gone already: a later sweep tries again */
      }
    }
  }
  return removed;
}

/** The sweep on the origin-private file system itself. */
export async function sweepOpfsLeftovers(isLive: (jobId: string) => boolean): Promise<string[]> {
  const root = await navigator.storage.getDirectory();
  const [exports, tmp] = await Promise.all([
    root.getDirectoryHandle(EXPORTS_DIR, { create: true }),
    root.getDirectoryHandle(TEMP_DIR, { create: true }),
  ]);
  return sweepLeftovers({ exports: exports as unknown as SweepDir, tmp: tmp as unknown as SweepDir }, isLive);
}

/** The ids of the active jobs in a `jobs/list` answer; throws on anything else (then nothing is swept). */
export function activeJobIds(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new Error('jobs/list did not answer a list');
  return reply
    .filter((j): j is JobState => !!j && typeof j === 'object' && typeof (j as JobState).id === 'string')
    .filter(isJobActive)
    .map((j) => j.id);
}
