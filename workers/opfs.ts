/**
 * The sink: archives are written into the origin-private file system (OPFS) with a synchronous
 * access handle (workers only; fastest, flat memory), then handed to the downloads API as a
 * disk-backed File. Files live in `exports/<jobId>`.
 */
import type { StageClock } from './stages';

export const EXPORTS_DIR = 'exports';

export async function exportsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(EXPORTS_DIR, { create: true });
}

/** Writes the stream to `exports/<name>`; on any error or abort the file is removed. Returns its size. */
export async function writeStreamToOpfs(name: string, stream: ReadableStream<Uint8Array>, signal: AbortSignal, clock?: StageClock): Promise<number> {
  const dir = await exportsDir();
  const access = await openSyncAccess(await dir.getFileHandle(name, { create: true }));
  const reader = stream.getReader();
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  let offset = 0;
  try {
    access.truncate(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (signal.aborted) throw signal.reason;
      if (clock) clock.time('write', () => writeFully(access, value, offset));
      else writeFully(access, value, offset);
      offset += value.byteLength;
    }
    if (signal.aborted) throw signal.reason;
    access.flush();
    access.close();
    return offset;
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
  flush(): void;
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

export async function opfsFile(name: string): Promise<File> {
  const dir = await exportsDir();
  return (await dir.getFileHandle(name)).getFile();
}

export async function removeOpfsFile(name: string): Promise<void> {
  const dir = await exportsDir();
  await dir.removeEntry(name).catch(() => {});
}
