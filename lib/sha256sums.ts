/**
 * `SHA256SUMS`: the checksum list at the root of every ZIP we write, one line per entry (the list
 * itself excepted), in the format `sha256sum -c` reads: the SHA-256 in lower-case hex, two spaces,
 * the entry's path as in the ZIP. A path holding a backslash, LF or CR is escaped as GNU coreutils
 * does (`\\`, `\n`, `\r`, and the line starts with `\`), so no name can forge a second line.
 * The list's bytes wait in workers/spillBuffer.ts as the archive grows (workers/zipStream.ts).
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
