/**
 * Annotated case files (product-spec 1c): the case-files ZIP of one order, with the shapes every
 * submission of that order drew on an image rendered onto it, and `annotations.json` at the root.
 *
 * 1. The order's annotations are fetched first (every page) and grouped by file.
 * 2. The case-files pipeline runs as usual (`caseFilesZip`); its transform step draws on each PNG
 *    or JPEG that has shapes (`workers/annotate.ts`, a bounded number at a time). Other files, and
 *    images nobody annotated, go in byte for byte. An image that cannot be decoded goes in
 *    unchanged and is listed in `export-report.csv`, as is a file with shapes that is not a PNG or
 *    JPEG (the shapes are in `annotations.json` but not drawn).
 * 3. `annotations.json`: `{ "<path in the ZIP>": [{ "submissionId", "shapes": [...] }, ...] }` for
 *    every file in the ZIP (`[]` for files without shapes), shapes exactly as the platform served
 *    them, keys in path order. Were a case file itself to land on `annotations.json`, ours becomes
 *    `annotations (2).json`.
 */
import type { Annotation } from '../lib/platform';
import type { PlatformClient } from '../lib/platform';
import { contextClient } from './client';
import type { AnnotatedCaseFilesRequest } from '../lib/jobs';
import { annotatedCaseFilesArchiveName } from '../lib/naming';
import { isAnnotatableImage, labelPalette } from '../lib/annotationPlan';
import { caseFilesZip, type FileTransform } from './caseFiles';
import type { ExportContext, ExportOutput } from './exporters';
import { ImageAnnotator } from './annotate';

export const ANNOTATIONS_NAME = 'annotations.json';

/** One submission's shapes on one file, as served (without the file uuid: the key says which file). */
export type AnnotationRecord = Pick<Annotation, 'submissionId' | 'shapes'>;

/** The order's annotations grouped by file uuid, in the order served. */
export async function fetchAnnotations(client: PlatformClient, workflowId: string, orderId: string): Promise<Map<string, AnnotationRecord[]>> {
  const byFile = new Map<string, AnnotationRecord[]>();
  for await (const page of client.annotations(workflowId, orderId)) {
    for (const a of page) {
      let list = byFile.get(a.fileUuid);
      if (!list) byFile.set(a.fileUuid, (list = []));
      list.push({ submissionId: a.submissionId, shapes: Array.isArray(a.shapes) ? a.shapes : [] });
    }
  }
  return byFile;
}

/** `annotations.json` as a Blob built from one small string per file. */
export function annotationsJson(entries: Map<string, AnnotationRecord[]>): Blob {
  const paths = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = ['{'];
  paths.forEach((path, i) => parts.push(`${i ? ',' : ''}\n  ${JSON.stringify(path)}: ${JSON.stringify(entries.get(path))}`));
  parts.push(paths.length ? '\n}\n' : '}\n');
  return new Blob(parts, { type: 'application/json' });
}

/** `annotations.json`, or `annotations (2).json`… when a case file already has that path. */
export function freeName(name: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((p) => p.toLowerCase()));
  if (!used.has(name.toLowerCase())) return name;
  const dot = name.lastIndexOf('.');
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

/** The annotated-case-files exporter: `<workflow-order-name>_annotated-case-files.zip`. */
export async function exportAnnotatedCaseFiles(request: AnnotatedCaseFilesRequest, ctx: ExportContext): Promise<ExportOutput> {
  if (!request.orderId) throw new Error('Annotated case files cover one order: select a workflow order first.');
  const client = contextClient(request.origin, ctx);
  const workflow = await client.workflow(request.workflowId);
  const order = workflow.orders.find((o) => o.id === request.orderId);
  if (!order) throw new Error(`Order ${request.orderId} is not in workflow “${workflow.name}”.`);

  const byFile = await fetchAnnotations(client, request.workflowId, request.orderId);
  const colors = labelPalette([...byFile.values()].flatMap((list) => list.flatMap((a) => a.shapes.map((s) => String(s?.label ?? '')))));
  const annotator = new ImageAnnotator();
  /** Every file that went into the ZIP, by its path there. */
  const inZip = new Map<string, AnnotationRecord[]>();

  const transform: FileTransform = {
    async apply(item, content, note) {
      const records = byFile.get(item.file.uuid) ?? [];
      inZip.set(item.path, records);
      const shapes = records.flatMap((r) => r.shapes);
      if (shapes.length === 0) return null;
      const format = isAnnotatableImage(item.file.contentType, item.file.originalFilename);
      if (!format) {
        note(`annotations not drawn: ${item.file.contentType || 'this file type'} is not a PNG or JPEG image (its shapes are in ${ANNOTATIONS_NAME})`);
        return null;
      }
      return annotator.annotate(content, shapes, note, { format, colors, signal: ctx.signal });
    },
  };

  const zip = caseFilesZip(request, workflow, ctx, {
    transform,
    finalEntries: () => [{ name: freeName(ANNOTATIONS_NAME, inZip.keys()), input: annotationsJson(inZip) }],
  });
  return { filename: annotatedCaseFilesArchiveName(workflow, order), ...zip };
}
