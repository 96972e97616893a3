/**
 * The SHA-256 of a document the export writes itself (an execution's HTML or Markdown step, a
 * report, a label file) as its pieces stream into the archive.
 *
 * Rule "documents hashed natively": a document of at most {@link WHOLE_LIMIT} bytes (nearly all of
 * them) is copied aside as it passes and hashed whole by the browser's own SHA-256
 * (`crypto.subtle.digest`: native, off this thread, several times faster than SHA-256 in wasm);
 * a longer one goes on in wasm from the bytes copied so far, so memory stays at most the limit.
 * Either way the digest is of exactly the bytes passed to `update`, in order. Bytes already held
 * whole (a document given as one text, a file kept in memory) are hashed as they are
 * ({@link sha256Hex}), whatever their size.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { hexOf } from '../lib/hex';

/** Documents up to this many bytes are hashed whole, natively. */
export const WHOLE_LIMIT = 4 * 1024 * 1024;

const subtle = (): SubtleCrypto | null => globalThis.crypto?.subtle ?? null;

/** The hex SHA-256 of bytes held whole: native where the browser has it, else in wasm. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const crypto = subtle();
  if (crypto) return hexOf(new Uint8Array(await crypto.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
  const h = await createSHA256();
  h.init();
  h.update(bytes);
  return h.digest('hex');
}

/** One document at a time: `init`, `update`… in order, then `digest`. */
export class DocumentHasher {
  private buf = new Uint8Array(0);
  private used = 0;
  private wasm: IHasher | null = null;
  /** Hashing in wasm (the document outgrew the limit, or there is no native SHA-256). */
  private streaming = false;

  constructor(private readonly limit = WHOLE_LIMIT) {}

  init(): void {
    this.used = 0;
    this.streaming = false;
  }

  async update(bytes: Uint8Array): Promise<void> {
    if (!this.streaming && this.used + bytes.byteLength <= this.limit && subtle()) {
      this.keep(bytes);
      return;
    }
    if (!this.streaming) {
      const h = (this.wasm ??= await createSHA256());
      h.init();
      h.update(this.buf.subarray(0, this.used));
      this.used = 0;
      this.streaming = true;
    }
    this.wasm!.update(bytes);
  }

  /** The hex SHA-256 of everything passed since `init`. */
  async digest(): Promise<string> {
    return this.streaming ? this.wasm!.digest('hex') : sha256Hex(this.buf.subarray(0, this.used));
  }

  private keep(bytes: Uint8Array) {
    const need = this.used + bytes.byteLength;
    if (need > this.buf.byteLength) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(need, this.buf.byteLength * 2)));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    this.buf.set(bytes, this.used);
    this.used = need;
  }
}
