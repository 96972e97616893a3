/** Makes sure Debian's Firefox ESR is installed (the Firefox e2e test drives it). */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export function ensureFirefox(): string {
  if (existsSync(FIREFOX)) return FIREFOX;
  console.log(`${FIREFOX} is missing: installing Debian's firefox-esr package…`);
  const root = process.getuid?.() === 0;
  const sudo = root ? '' : 'sudo ';
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr`, {
      stdio: 'inherit',
    });
  } catch {
    throw new Error(`Could not install Firefox ESR. Install it yourself (apt-get install firefox-esr) or set FIREFOX_PATH.`);
  }
  if (!existsSync(FIREFOX)) throw new Error(`Firefox is still missing at ${FIREFOX}.`);
  return FIREFOX;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureFirefox();
  console.log(execFileSync(FIREFOX, ['--version']).toString().trim());
}
