/** Makes sure Debian's Chromium is installed (the e2e tests, `npm start` and the bench drive it). */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log(`${CHROMIUM} is missing: installing Debian's chromium package…`);
  const root = process.getuid?.() === 0;
  const sudo = root ? '' : 'sudo ';
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, {
      stdio: 'inherit',
    });
  } catch {
    throw new Error(`Could not install Chromium. Install it yourself (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is still missing at ${CHROMIUM}.`);
  return CHROMIUM;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureChromium();
  console.log(execFileSync(CHROMIUM, ['--version']).toString().trim());
}
