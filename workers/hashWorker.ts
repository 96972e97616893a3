/**
 * A hashing worker (workers/hashPool.ts): SHA-256 and CRC-32 (hash-wasm) of the files the engine
 * streams to it, several files at once, each with its own incremental hashers; the engine's
 * thread only fetches and writes. Each chunk is acknowledged once hashed (the engine's
 * backpressure). Started by the engine only: a message that is not one of ours is ignored.
 */
import { createCRC32, createSHA256, type IHasher } from 'hash-wasm';
import { isToHasher, type FromHasher } from './hashMessages';

interface Hashers {
  sha256: IHasher;
  crc32: IHasher;
}

/** Hashers are reused across files: making one instantiates a WebAssembly module. */
const spare: Hashers[] = [];
const open = new Map<number, Promise<Hashers>>();
const post = (m: FromHasher, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

async function make(): Promise<Hashers> {
  const h = spare.pop() ?? { sha256: await createSHA256(), crc32: await createCRC32() };
  h.sha256.init();
  h.crc32.init();
  return h;
}

// Messages of one file are handled in order: each waits for the file's previous one.
self.addEventListener('message', (event: MessageEvent) => {
  const m: unknown = event.data;
  if (!isToHasher(m)) return;
  if (m.op === 'open') {
    open.set(m.id, make());
    return;
  }
  const hashers = open.get(m.id);
  if (!hashers) return post({ op: 'error', id: m.id, message: `no open hash ${m.id}` });
  const next = hashers.then((h) => {
    if (m.op === 'update') {
      const bytes = new Uint8Array(m.buf, m.offset, m.length);
      h.sha256.update(bytes);
      h.crc32.update(bytes);
      // The buffer goes back with the ack: the engine reads into it again when it is one of its
      // scratch buffers (workers/bufferPool.ts), else drops it for its collector. Kept here, hashed
      // chunks piled up between this thread's collections (+130 MB at 4 GB; a zero-length
      // `transfer(0)` kept them all, its new buffer owning the old bytes: +4 GB).
      post({ op: 'ack', id: m.id, bytes: m.length, buf: m.buf }, [m.buf]);
    } else if (m.op === 'reset') {
      h.sha256.init();
      h.crc32.init();
    } else if (m.op === 'digest') {
      post({ op: 'digest', id: m.id, sha256: h.sha256.digest('hex'), crc32: parseInt(h.crc32.digest('hex'), 16) });
      h.sha256.init();
      h.crc32.init();
    } else if (m.op === 'close') {
      open.delete(m.id);
      spare.push(h);
    }
    return h;
  });
  next.catch((err: unknown) => post({ op: 'error', id: m.id, message: String((err as Error)?.message ?? err) }));
  if (m.op !== 'close') open.set(m.id, next);
});

post({ op: 'ready', id: 0 });
