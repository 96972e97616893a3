/**
 * The download stream's bytes (Chrome; lib/streamDownload.ts for the whole path): the stream service
 * worker reads them from the engine's journaled copy in the private file system, range by range,
 * as the engine grants them on a MessagePort. No archive byte crosses in a message.
 *
 * Why: a chunk that comes in a message stays in memory until a FULL collection of the service
 * worker's heap (its MessageEvent keeps it), and that thread allocates too little for V8 to run one
 * often: measured (2026-12-02, 2 GB, Chromium 156) +264 MB with the chunks posted, +146 MB with a
 * test-only `gc()` after each. A slice read from a File is freed by the young collections that
 * lib/collectionPacing.ts paces (+1–3 MB for 1 GB in tests/bench/swBody.ts).
 *
 * Why granted ranges: a File of the private file system cannot be read while its file is written
 * (a read that meets a write fails, NotReadableError: tests/bench/swLive.ts). The archive is only
 * ever appended to, so bytes once written never change, and a read that succeeds is right. A read
 * is tried while the engine goes on writing; only when it fails does the worker ask the engine to
 * hold its writes for that range (holding them for every read was measured: small files at 370
 * against 526–586 files/s):
 *
 *   worker → engine  { want: at }         the download wants the bytes from `at` (all before were read)
 *   engine → worker  { range: [at, to] }  read them
 *   worker → engine  { hold: to }         (only when the read failed) hold the writes…
 *   engine → worker  { held: to }         …they wait: read again
 *   worker → engine  { read: to }         they are read (writes go on)
 *   engine → worker  { end: at }          the archive is whole at `at` bytes: every byte was read
 *   either way       { error: why }       the stream is given up (the copy becomes the download)
 *
 * Each side checks every message against this order; anything else ends the stream.
 */
import { allocateFor } from './collectionPacing';

/** The most bytes one range holds. */
export const MAX_RANGE = 4 * 1024 * 1024;

export type CopyStreamMessage =
  | { want: number }
  | { range: [number, number] }
  | { hold: number }
  | { held: number }
  | { read: number }
  | { end: number }
  | { error: string };

const offset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `data` as a message of the protocol, or null. */
export function copyStreamMessage(data: unknown): CopyStreamMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  const keys = Object.keys(d);
  if (keys.length !== 1) return null;
  if (offset(d.want)) return { want: d.want };
  if (offset(d.read)) return { read: d.read };
  if (offset(d.hold)) return { hold: d.hold };
  if (offset(d.held)) return { held: d.held };
  if (offset(d.end)) return { end: d.end };
  if (typeof d.error === 'string') return { error: d.error.slice(0, 200) };
  const r = d.range;
  if (Array.isArray(r) && r.length === 2 && offset(r[0]) && offset(r[1]) && r[1] > r[0] && r[1] - r[0] <= MAX_RANGE) return { range: [r[0], r[1]] };
  return null;
}

/** Reads bytes `from`..`to` of the copy (exactly that many, or it throws). */
export type ReadCopy = (from: number, to: number) => Promise<Uint8Array>;

/**
 * The stream worker's end: the download's body, read from the copy range by range on `port`. A
 * cancel by the download, a failed read, a message out of order, or the port closing ends it (and
 * the engine is told, where it can be).
 */
export function copyStreamOn(port: MessagePort, read: ReadCopy): ReadableStream<Uint8Array> {
  let at = 0;
  let carry = 0;
  /** Bytes of the slice handed on last, not yet paced for. */
  let owed = 0;
  let closed = false;
  const inbox: unknown[] = [];
  let waiting: ((data: unknown) => void) | null = null;
  const deliver = (data: unknown) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(data);
    } else inbox.push(data);
  };
  port.onmessage = (e: MessageEvent) => deliver(e.data);
  port.addEventListener('close', () => deliver({ error: 'the engine went away' }));
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise<unknown>((r) => (waiting = r)));
  const end = (error?: string) => {
    if (closed) return;
    closed = true;
    try {
      if (error !== undefined) port.postMessage({ error });
    } catch {
      // the port is gone
    }
    port.close();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        // The slice before is dead by now (the download asks for more once it took it all): the
        // young garbage for its bytes makes the next young collection free it.
        carry = allocateFor(owed, carry);
        owed = 0;
        port.postMessage({ want: at });
        const m = copyStreamMessage(await next());
        if (m && 'end' in m && m.end === at) {
          end();
          return c.close();
        }
        if (!m || !('range' in m) || m.range[0] !== at) {
          const why = m && 'error' in m ? `the engine ended the stream (${m.error})` : "the engine's answer was not the next range";
          end(why);
          return c.error(new Error(why));
        }
        const to = m.range[1];
        const readRange = async () => {
          const bytes = await read(at, to);
          if (bytes.byteLength !== to - at) throw new Error(`${bytes.byteLength} bytes read of ${to - at}`);
          return bytes;
        };
        let bytes: Uint8Array;
        try {
          bytes = await readRange().catch(async () => {
            // It met a write: again, with the engine's writes held.
            port.postMessage({ hold: to });
            const held = copyStreamMessage(await next());
            if (!held || !('held' in held) || held.held !== to) throw new Error("the engine's answer was not a hold");
            return readRange();
          });
        } catch (err) {
          const why = `the copy could not be read: ${(err as Error)?.message ?? String(err)}`;
          end(why);
          return c.error(new Error(why));
        }
        port.postMessage({ read: to });
        at = to;
        c.enqueue(bytes);
        owed = bytes.byteLength;
      },
      cancel() {
        end('the download was cancelled');
      },
    },
    { highWaterMark: 0 },
  );
}
