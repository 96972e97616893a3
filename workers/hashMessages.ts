/**
 * The messages between the engine and its hashing workers (workers/hashPool.ts,
 * workers/hashWorker.ts). Both sides are ours (a dedicated worker the engine started), and each
 * side still checks a message's shape before acting on it.
 */
export type ToHasher =
  | { op: 'open'; id: number }
  /** `buf` is transferred; the bytes are `buf[offset, offset + length)`. */
  | { op: 'update'; id: number; buf: ArrayBuffer; offset: number; length: number }
  | { op: 'reset'; id: number }
  | { op: 'digest'; id: number }
  | { op: 'close'; id: number };

export type FromHasher =
  /** The worker has loaded (sent once, id 0). */
  | { op: 'ready'; id: number }
  /** `bytes` of file `id` are hashed (the engine's backpressure). */
  | { op: 'ack'; id: number; bytes: number; buf?: ArrayBuffer }
  | { op: 'digest'; id: number; sha256: string; crc32: number }
  | { op: 'error'; id: number; message: string };

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isToHasher(m: unknown): m is ToHasher {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  if (!isId(o.id)) return false;
  if (o.op === 'update')
    return o.buf instanceof ArrayBuffer && isId(o.offset) && isId(o.length) && (o.offset as number) + (o.length as number) <= o.buf.byteLength;
  return o.op === 'open' || o.op === 'reset' || o.op === 'digest' || o.op === 'close';
}

export function isFromHasher(m: unknown): m is FromHasher {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  if (!isId(o.id)) return false;
  if (o.op === 'ready') return true;
  if (o.op === 'ack') return isId(o.bytes) && (o.buf === undefined || o.buf instanceof ArrayBuffer);
  if (o.op === 'digest') return typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256) && isId(o.crc32) && (o.crc32 as number) <= 0xffffffff;
  if (o.op === 'error') return typeof o.message === 'string';
  return false;
}
