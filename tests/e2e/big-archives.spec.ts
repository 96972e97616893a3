/**
 * Big archives, read by three independent readers: Python's zipfile, Info-ZIP's `unzip -t` and `7z t`.
 * One archive passes 4 GiB (ZIP64 sizes and offsets); one holds more than 65,535 entries while staying
 * under 4 GiB (the classic end record cannot count them: ZIP64 end records must).
 */
import { rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, ORIGIN, exporterUi, waitForDownload, apiClient } from './harness';
import type { Case, Page as ApiPage } from '../../lib/platform';
import { toolOutput } from '../../scripts/tools';

test.setTimeout(15 * 60_000);

const PYTHON_CHECK = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
out = {"count": len(z.infolist()), "bad": bad, "zip64": False}
if sys.argv[2] == "hash":
    out["sha256"] = {}
    for info in z.infolist():
        h = hashlib.sha256()
        with z.open(info) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        out["sha256"][info.filename] = h.hexdigest()
# SHA256SUMS, read as sha256sum reads it (no name of these archives needs its escapes).
listed = dict(reversed(line.split("  ", 1)) for line in z.read("SHA256SUMS").decode().splitlines())
out["listed"] = len(listed)
if sys.argv[2] == "hash":
    out["sums_ok"] = listed == {k: v for k, v in out["sha256"].items() if k != "SHA256SUMS"}
print(json.dumps(out))
`;

/** What each independent reader makes of the archive. */
function readers(file: string, hash: boolean) {
  const python = JSON.parse(toolOutput('python3', ['-c', PYTHON_CHECK, file, hash ? 'hash' : 'count']));
  const unzip = toolOutput('unzip', ['-tq', file]);
  const sevenZip = toolOutput('7z', ['t', file]);
  return { python, unzip, sevenZip };
}

async function checksums(workflowId: string) {
  const api = await apiClient();
  const sums = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page: ApiPage<Case> = await (await api.fetch(`/api/v1/workflows/${workflowId}/cases?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json();
    for (const c of page.items)
      for (const f of c.files) {
        const controller = new AbortController();
        const res = await api.fetch(`/api/v1/files/${f.uuid}/content`, { signal: controller.signal });
        sums.set(f.uuid, res.headers.get('x-checksum-sha256')!);
        controller.abort();
      }
    cursor = page.nextCursor;
  } while (cursor);
  return sums;
}

async function exportScale(page: Page) {
  await page.goto(`${ORIGIN}/develop/workflows/3`);
  await exporterUi(page).getByRole('button', { name: 'Export case files', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export case files' });
  await dialog.getByRole('textbox', { name: 'Folder path template' }).fill('{{ FILE_UUID }}');
  await dialog.getByRole('button', { name: 'Download files' }).click();
}

test('an archive past 4 GiB (ZIP64) is read whole by Python zipfile, unzip and 7z', async ({ page, sw, site }) => {
  const fileSize = 900 * 1024 * 1024;
  site.setConfig({ scaleCases: 5, scaleFilesPerCase: 1, scaleFileSize: fileSize, scaleDistinctContents: 2 });
  await exportScale(page);
  const item = await waitForDownload(sw, { timeout: 10 * 60_000 });
  try {
    expect(item.state).toBe('complete');
    expect(item.fileSize).toBeGreaterThan(4 * 1024 ** 3);
    const r = readers(item.filename, true);
    expect(r.python.bad).toBeNull();
    expect(r.python.count).toBe(5 + 1); // and SHA256SUMS
    expect(r.unzip).toMatch(/No errors detected/);
    expect(r.sevenZip).toMatch(/Everything is Ok/);
    const sums = await checksums('3');
    const hashed = new Map(Object.entries(r.python.sha256 as Record<string, string>).filter(([k]) => k !== 'SHA256SUMS'));
    expect(hashed).toEqual(sums);
    expect(r.python.sums_ok).toBe(true);
  } finally {
    rmSync(item.filename, { force: true });
  }
});

test('more than 65,535 entries under 4 GiB: every reader sees every entry', async ({ page, sw, site }) => {
  const cases = 33_000;
  site.setConfig({ scaleCases: cases, scaleFilesPerCase: 2, scaleFileSize: 32, scaleDistinctContents: 0 });
  await exportScale(page);
  const item = await waitForDownload(sw, { timeout: 10 * 60_000 });
  try {
    expect(item.state).toBe('complete');
    expect(item.fileSize).toBeLessThan(4 * 1024 ** 3);
    const r = readers(item.filename, false);
    expect(r.python.bad).toBeNull();
    expect(r.python.count).toBe(cases * 2 + 1); // and SHA256SUMS
    expect(r.python.listed).toBe(cases * 2);
    expect(r.unzip).toMatch(/No errors detected in compressed data of .*\.zip\./);
    expect(r.sevenZip).toMatch(new RegExp(`Files: ${cases * 2 + 1}\\b`));
    expect(r.sevenZip).toMatch(/Everything is Ok/);
  } finally {
    rmSync(item.filename, { force: true });
  }
});
