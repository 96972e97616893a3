/** Checking the browser's storage before and during a large export (product-spec 4). */
import { formatBytes } from '../lib/jobs';

/** Room kept free beyond the archive itself (temp files of the downloads in flight, the rest of the profile). */
export const SPACE_MARGIN = 256 * 1024 * 1024;

/** Before and during a large export: can the browser's storage hold `bytes` more? */
export async function ensureSpace(
  bytes: number,
  estimate: () => Promise<StorageEstimate | undefined> = async () => navigator.storage?.estimate?.(),
): Promise<void> {
  const e = await estimate();
  if (!e?.quota) return;
  const free = e.quota - (e.usage ?? 0);
  if (bytes + SPACE_MARGIN > free)
    throw new Error(
      `Not enough free disk space for this export: it needs about ${formatBytes(bytes + SPACE_MARGIN)} and the browser can use ${formatBytes(Math.max(0, free))}. Free some space and try again.`,
    );
}

