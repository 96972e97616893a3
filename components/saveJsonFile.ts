import { browser } from 'wxt/browser';

/** Saves `json` into the Downloads folder as `filename` (the options page's exports of favourites and history). */
export async function saveJsonFile(json: string, filename: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  await browser.downloads.download({ url, filename, conflictAction: 'uniquify' });
  // The browser has the URL once the download started; keep it a while for a slow start.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
