/**
 * HTTPS for the reference platform (issue 17, point 5: HTTP/2 as real platforms serve it): a
 * self-signed certificate for `localhost`, made with `openssl` when the platform starts (never
 * committed, never reused), and what Chromium needs to trust that one certificate only:
 * `--ignore-certificate-errors-spki-list=<base64 SHA-256 of its public key>` (Chromium honours it
 * with a `--user-data-dir`, as every Chromium of the tests has).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolOutput } from '../../scripts/tools.ts';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (Chromium's SPKI list, curl's `--pinnedpubkey sha256//…`). */
  spki: string;
}

/** A fresh P-256 key and a self-signed certificate for localhost, 127.0.0.1 and ::1, valid two days. */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'we-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    toolOutput('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ]);
    const pem = readFileSync(cert, 'utf8');
    return { key: readFileSync(key, 'utf8'), cert: pem, spki: spkiHash(pem) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function spkiHash(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** The Chromium flag that trusts this certificate (and no other invalid one). */
export const chromiumTrustFlag = (tls: Pick<TlsMaterial, 'spki'>): string => `--ignore-certificate-errors-spki-list=${tls.spki}`;
