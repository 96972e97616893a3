/**
 * Rule "text encoded into a reused buffer": long texts the export writes (documents, CSV) become
 * UTF-8 through `TextEncoder.encodeInto` into one scratch buffer, copied out at their length.
 * Measured in Chromium 156: for 64 K pieces of HTML, `encodeInto` plus the copy costs about a third
 * of what `encode` does. The bytes are the same as `encode`'s (lone surrogates become U+FFFD).
 * A text too long for a scratch of {@link SCRATCH_MAX} bytes is encoded directly (no buffer that
 * large kept for the rest of the export).
 */
export const SCRATCH_MAX = 4 * 1024 * 1024;

export class Utf8Bytes {
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(0);

  /** The UTF-8 of `text`, in an array of its own. */
  of(text: string): Uint8Array {
    // At most 3 bytes for each UTF-16 unit.
    const most = text.length * 3;
    if (most > SCRATCH_MAX) return this.encoder.encode(text);
    if (this.scratch.byteLength < most) this.scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(most, 2 * this.scratch.byteLength)));
    const { written } = this.encoder.encodeInto(text, this.scratch);
    return this.scratch.slice(0, written);
  }
}
