/** Makes sure Debian's Chromium is installed (the e2e tests, `npm start` and the bench drive it). */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
