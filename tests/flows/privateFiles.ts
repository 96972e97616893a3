/**
 * The extension's private file system (OPFS) as the flows see it: listed, or written to, from one of
 * our own pages (the options page), the same expression in both browsers.
 */
import type { Driver } from './driver';

/** Every entry of the extension's OPFS, folders ending in `/`, sorted. */
export const OPFS_LIST_EXPRESSION = `(async () => {
  const root = await navigator.storage.getDirectory();
  const names = [];
  const walk = async (dir, prefix) => {
    for await (const [name, h] of dir.entries()) {
      if (h.kind === 'directory') {
        names.push(prefix + name + '/');
        await walk(h, prefix + name + '/');
      } else names.push(prefix + name);
    }
  };
  await walk(root, '');
  return names.sort();
})()`;

/** What a crashed job (or an older version) leaves behind: half an archive and a temp folder. */
export const OPFS_PLANT_LEFTOVERS_EXPRESSION = `(async () => {
  const root = await navigator.storage.getDirectory();
  const exports = await root.getDirectoryHandle('exports', { create: true });
  const w = await (await exports.getFileHandle('crashed-job.part', { create: true })).createWritable();
  await w.write('half an archive');
  await w.close();
  const tmp = await (await root.getDirectoryHandle('tmp', { create: true })).getDirectoryHandle('crashed-job', { create: true });
  await tmp.getFileHandle('f0', { create: true });
  return true;
})()`;

/** The extension's OPFS entries, read in a short-lived options page. */
export async function opfsEntries(d: Driver): Promise<string[]> {
  const page = await d.openOptions();
  try {
    return await page.evaluate<string[]>(OPFS_LIST_EXPRESSION);
  } finally {
    await page.close();
  }
}

/** Only the files (no folders) of the extension's OPFS. */
export const opfsFilesOf = async (d: Driver) => (await opfsEntries(d)).filter((n) => !n.endsWith('/'));
