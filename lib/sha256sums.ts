/**
 * `SHA256SUMS`: the checksum list at the root of every ZIP we write, one line per entry (the list
 * itself excepted), in the format `sha256sum -c` reads: the SHA-256 in lower-case hex, two spaces,
 * the entry's path as in the ZIP. A path holding a backslash, LF or CR is escaped as GNU coreutils
 * does (`\\`, `\n`, `\r`, and the line starts with `\`), so no name can forge a second line.
 */
export const SHA256SUMS_NAME = 'SHA256SUMS';

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256sumsLine(path: string, sha256: string): string {
  const hex = sha256.toLowerCase();
  if (!HEX64.test(hex)) throw new Error(`Not a SHA-256: ${JSON.stringify(sha256)}`);
  if (!/[\\\n\r]/.test(path)) return `${hex}  ${path}\n`;
  const escaped = path.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r'));
  return `\\${hex}  ${escaped}\n`;
}

const encoder = new TextEncoder();
const BLOCK = 64 * 1024;

/** The list as it grows: UTF-8 bytes in blocks of 64 KiB (one byte per character of most paths). */
export class Sha256Sums {
  private blocks: Uint8Array[] = [];
  private block = new Uint8Array(BLOCK);
  private used = 0;
  count = 0;

  add(path: string, sha256: string) {
    const line = encoder.encode(sha256sumsLine(path, sha256));
    this.count++;
    if (this.used + line.byteLength > BLOCK) {
      this.blocks.push(this.block.slice(0, this.used));
      this.used = 0;
      if (line.byteLength > BLOCK) {
        this.blocks.push(line);
        return;
      }
    }
    this.block.set(line, this.used);
    this.used += line.byteLength;
  }

  /** The whole list's bytes. */
  bytes(): Uint8Array {
    const parts = [...this.blocks, this.block.subarray(0, this.used)];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}
