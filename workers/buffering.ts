/**
 * Where a file waits between its parallel download and its turn in the (sequential) ZIP writer,
 * while its checksum is checked: memory for small files, OPFS for large ones, so memory stays
 * flat whatever the sizes. A buffered file is bytes in memory or a disk-backed Blob, disposed once
 * the writer has taken it.
 */
import { TEMP_DIR, appendWriter, openSyncAccess } from './opfs';
import { POOLED_FROM, bufferPool, type BufferPool } from './bufferPool';

export interface TempFile {
  /** The bytes stay in memory (`finish` gives a Uint8Array). */
  readonly inMemory: boolean;
  /** `transient`: the chunk's buffer is used again once this returns (a read's scratch): its bytes are copied, never the chunk kept. */
  write(chunk: Uint8Array, transient?: boolean): void;
  /** The bytes written (call once, after the last write): in memory, or a disk-backed Blob. */
  finish(): Promise<Uint8Array | Blob>;
  /** Frees the bytes (after the writer has taken them, or when they are dropped). */
  dispose(): Promise<void>;
}

export interface TempStore {
  create(sizeHint: number): Promise<TempFile>;
  /** Removes whatever is left (end of the job, success or not). */
  clear(): Promise<void>;
}

/** Files up to this size wait in memory; larger ones in OPFS. */
export const MEMORY_BUFFER_LIMIT = 8 * 1024 * 1024;

/**
 * Bytes in memory: a plain array, not a Blob (a Blob per small file costs a round trip to the blob
 * registry). With the size known, the chunks are copied into one array of that size as they come, so
 * a file never exists twice (chunks plus their concatenation); unknown or wrong sizes fall back to
 * gathering the chunks.
 */
export function memoryTempFile(sizeHint = 0, pool?: BufferPool): TempFile {
  let whole: Uint8Array | null = null;
  /** The array taken from `pool`, given back on `dispose` (not before: `finish` may return it). */
  let taken: Uint8Array | null = null;
  let at = 0;
  let chunks: Uint8Array[] = [];
  return {
    inMemory: true,
    write(chunk, transient = false) {
      // An empty chunk changes nothing (and must not start the sized array: the whole-file shortcut
      // below would then keep a later chunk beside an array that finish() returns empty).
      if (chunk.byteLength === 0) return;
      if (chunks.length === 0 && sizeHint > 0 && at + chunk.byteLength <= sizeHint) {
        // A single chunk that is the whole file is kept as it is.
        if (at === 0 && chunk.byteLength === sizeHint && !transient) {
          chunks.push(chunk);
          return;
        }
        whole ??= taken = pool ? pool.take(sizeHint) : new Uint8Array(sizeHint);
        whole.set(chunk, at);
        at += chunk.byteLength;
        return;
      }
      if (whole) {
        chunks.push(whole.subarray(0, at));
        whole = null;
      }
      chunks.push(transient ? chunk.slice() : chunk);
    },
    async finish() {
      if (whole) return at === whole.byteLength ? whole : whole.subarray(0, at);
      if (chunks.length === 1) return chunks[0];
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.byteLength;
      }
      chunks = [];
      return out;
    },
    dispose: async () => {
      chunks = [];
      whole = null;
      if (taken) pool?.release(taken);
      taken = null;
    },
  };
}

export const memoryTempStore: TempStore = { create: async (sizeHint) => memoryTempFile(sizeHint), clear: async () => {} };

/** OPFS temp files under `tmp/<jobId>/` (dedicated workers: synchronous access handles). */
export function opfsTempStore(jobId: string, limit = MEMORY_BUFFER_LIMIT): TempStore {
  let n = 0;
  // After `clear` (the job ended, e.g. cancelled) no temp file may outlive it: the open ones are
  // closed at once, so downloads still in flight fail their next write and dispose of their file.
  let cleared = false;
  const openFiles = new Set<() => void>();
  const ended = () => new DOMException('The export has ended.', 'AbortError');
  const dir = (async () => {
    const root = await navigator.storage.getDirectory();
    const tmp = await root.getDirectoryHandle(TEMP_DIR, { create: true });
    return tmp.getDirectoryHandle(jobId, { create: true });
  })();
  return {
    async create(sizeHint) {
      if (sizeHint <= limit) return memoryTempFile(sizeHint, sizeHint >= POOLED_FROM ? bufferPool : undefined);
      if (cleared) throw ended();
      const d = await dir;
      const name = `f${n++}`;
      const handle = await d.getFileHandle(name, { create: true });
      const access = await openSyncAccess(handle);
      const out = appendWriter(access, sizeHint);
      let open = true;
      const close = () => {
        if (open) {
          open = false;
          openFiles.delete(close);
          access.close();
        }
      };
      openFiles.add(close);
      if (cleared) {
        close();
        await d.removeEntry(name).catch(() => {});
        throw ended();
      }
      return {
        inMemory: false,
        write: (chunk) => out.write(chunk),
        async finish() {
          if (!open) throw ended();
          out.end();
          close();
          return handle.getFile();
        },
        async dispose() {
          close();
          await d.removeEntry(name).catch(() => {});
        },
      };
    },
    async clear() {
      cleared = true;
      for (const close of [...openFiles]) close();
      const root = await navigator.storage.getDirectory();
      const tmp = await root.getDirectoryHandle(TEMP_DIR, { create: true });
      await tmp.removeEntry(jobId, { recursive: true }).catch(() => {});
    },
  };
}

/** OPFS where the context has it (the worker), memory elsewhere (Node tests). */
export function tempStoreFor(jobId: string): TempStore {
  const hasOpfs =
    typeof navigator !== 'undefined' &&
    !!navigator.storage?.getDirectory &&
    typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle !== 'undefined';
  return hasOpfs ? opfsTempStore(jobId) : memoryTempStore;
}
