/** Makes sure Debian's Chromium is installed (the e2e tests, `npm start` and the bench drive it). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS, ensureTools } from './tools';

export const CHROMIUM = TOOLS.chromium.path;

/** Flags every Chromium we start gets: no sandbox (root), no GPU, no calls home (the network is closed). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A Chromium profile whose downloads land in `downloads` without a prompt (streaming-to-disk.md). */
export function writeDownloadPreferences(profile: string, downloads: string) {
  mkdirSync(join(profile, 'Default'), { recursive: true });
  mkdirSync(downloads, { recursive: true });
  writeFileSync(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ download: { default_directory: downloads, prompt_for_download: false, directory_upgrade: true } }),
  );
}

export function ensureChromium(): string {
  ensureTools(['chromium']);
  return CHROMIUM;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureChromium();
  console.log(execFileSync(CHROMIUM, ['--version']).toString().trim());
}
