/** Makes sure Debian's Firefox ESR is installed (the Firefox e2e tests drive it). */
import { execFileSync } from 'node:child_process';
import { TOOLS, ensureTools } from './tools';

export const FIREFOX = TOOLS['firefox-esr'].path;

export function ensureFirefox(): string {
  ensureTools(['firefox-esr']);
  return FIREFOX;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureFirefox();
  console.log(execFileSync(FIREFOX, ['--version']).toString().trim());
}
