/**
 * Annotated case files (product-spec 1c): the case-files ZIP of one order, with the shapes every
 * submission of that order drew on an image rendered onto it, and `annotations.json` at the root.
 *
 * 1. The order's annotations are fetched first (every page) and grouped by file.
 * 2. The case-files pipeline runs as usual (`caseFilesZip`), the files named by
 *    `lib/labelNaming.ts` (a drawn image written as PNG is named `.png`; a YOLO label path is
 *    claimed with each image); its transform step draws on each image that has shapes
 *    (`workers/annotate.ts`, a bounded number at a time: PNG, JPEG, WebP, GIF, BMP, AVIF, ICO;
 *    `lib/imageFormats.ts`). Other files, and images nobody annotated, go in byte for byte. An
 *    image that cannot be decoded goes in unchanged and is listed in `export-report.csv`, as is
 *    an SVG or a non-image file with shapes (the shapes are in `annotations.json` but not drawn).
 *    An animated WebP (named `.webp` when planned) is drawn on its first frame, written as PNG and
 *    renamed `.png` once its bytes show the animation. With **Original images** nothing is drawn:
 *    every file goes in byte for byte.
 * 2b. Label files (COCO, YOLO; `workers/labelFiles.ts`) on request, from the same shapes, for
 *    every image of the order, with the size of the image as written (images not drawn on are
 *    decoded once for their size). Readers come from the order's submissions. The plain
 *    case-files export with an order uses the same pipeline for its label files
 *    (`exportCaseFilesWithLabels`: original images, no `annotations.json`).
 * 3. `annotations.json`: `{ "<path in the ZIP>": [{ "submissionId", "shapes": [...] }, ...] }` for
 *    every file in the ZIP (`[]` for files without shapes), shapes exactly as the platform served
 *    them, keys in path order. Its name is reserved before the case files are named
 *    (lib/reservedNames.ts): a case file that would land on `annotations.json` (in any case) gets
 *    ` (2)`, ours keeps the fixed name.
 */
import type { Annotation, CaseFile, Order, Workflow } from '../lib/platform';
import { PlatformClient } from '../lib/platform';
import type { AnnotatedCaseFilesRequest, CaseFilesRequest } from '../lib/jobs';
import { annotatedCaseFilesArchiveName, caseFilesArchiveName } from '../lib/naming';
import { labelPalette } from '../lib/annotationPlan';
import { declaredImageKind, isAnimatedWebp, isDrawable, writtenFilename } from '../lib/imageFormats';
import { renderPathTemplate } from '../lib/pathTemplate';
import { pathKey, type PathDeduper } from '../lib/naming';
import { labelPathOf } from '../lib/yolo';
import { annotatedOptionsFrom, labelFileOptionsFrom, wantsLabelFiles, type AnnotatedOptions } from '../lib/annotatedOptions';
import { annotatedNaming, claimWithLabel, labelledPlanner } from '../lib/labelNaming';
import type { ShapeSource } from '../lib/coco';
import { caseFilesZip, type FileTransform, type PlannedFile } from './caseFiles';
import type { ExportContext, ExportOutput } from './exporters';
import { ImageAnnotator, encoderSupport } from './annotate';
import { contextClient } from './client';
import { labelFileEntries, labelNotes, labelRootNames, type WrittenImage } from './labelFiles';
import { ANNOTATIONS_NAME } from '../lib/reservedNames';
import { jsonText } from '../lib/jsonText';
import { servedText } from '../lib/servedData';

export { ANNOTATIONS_NAME } from '../lib/reservedNames';

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
  paths.forEach((path, i) => parts.push(`${i ? ',' : ''}\n  ${JSON.stringify(path)}: ${jsonText(entries.get(path))}`));
  parts.push(paths.length ? '\n}\n' : '}\n');
  return new Blob(parts, { type: 'application/json' });
}

/** Submission id → its reader, for the label files' attributes. */
async function readersOf(client: PlatformClient, workflowId: string, orderId: string): Promise<Map<string, { id: string; name: string }>> {
  const out = new Map<string, { id: string; name: string }>();
  for await (const page of client.submissions(workflowId, orderId)) {
    for (const s of page) {
      const r = s?.reader;
      if (typeof s?.id === 'string' && r && typeof r.id === 'string') out.set(s.id, { id: r.id, name: typeof r.name === 'string' ? r.name : '' });
    }
  }
  return out;
}

/** The ZIP of one order's files with drawn shapes and/or label files. */
async function annotatedZip(
  request: AnnotatedCaseFilesRequest | CaseFilesRequest,
  workflow: Workflow,
  order: Order,
  ctx: ExportContext,
  options: AnnotatedOptions & { annotationsJson: boolean },
) {
  const client = contextClient(request.origin, ctx);
  const { images: mode, labels } = options;
  const labelled = wantsLabelFiles(labels);
  const byFile = await fetchAnnotations(client, request.workflowId, order.id);
  const readers = labelled ? await readersOf(client, request.workflowId, order.id) : new Map<string, { id: string; name: string }>();
  const colors = labelPalette([...byFile.values()].flatMap((list) => list.flatMap((a) => a.shapes.map((s) => servedText(s?.label)))));
  const canEncode = mode === 'drawn' ? await encoderSupport() : () => false;
  const annotator = new ImageAnnotator();
  /** Every file that went into the ZIP, by its path there. */
  const inZip = new Map<string, AnnotationRecord[]>();
  /** Planned order and label path of every image, by its path. */
  const planned = new Map<string, { seq: number; labelPath?: string; rerender: (file: CaseFile) => string }>();
  const written: WrittenImage[] = [];

  const naming = annotatedNaming({ images: mode, labels, canEncode, hasShapes: (file) => (byFile.get(file.uuid) ?? []).some((r) => r.shapes.length > 0) });
  const formatOf = naming.formatOf;
  const inner = labelledPlanner({
    reserved: [...(options.annotationsJson ? [ANNOTATIONS_NAME] : []), ...labelRootNames(labels)],
    written: naming.written,
    labelled: naming.labelled,
  });
  /** The export's deduper (the pipeline's), to rename an animated WebP once its bytes say so. */
  let deduper: PathDeduper | undefined;
  const plan: typeof inner = function* (...args) {
    const [template, wf, ord, , d] = args;
    deduper = d;
    for (const p of inner(...args)) {
      const rerender = (file: CaseFile) => renderPathTemplate(template, { workflow: wf, order: ord, case: p.case, file, fileIndex: p.fileIndex });
      planned.set(p.path, { seq: planned.size, labelPath: p.labelPath, rerender });
      yield p;
    }
  };
  /**
   * An animated WebP was planned as a WebP; drawn on its first frame it is written as PNG, so it
   * takes its `.png` name now (and its label path with it), through the same deduper: still unique.
   */
  const renameAsPng = (item: PlannedFile) => {
    const info = planned.get(item.path);
    if (!info || !deduper) return;
    const wanted = info.rerender({ ...item.file, originalFilename: writtenFilename(item.file.originalFilename, 'webp', 'image/png') });
    // Its label path (claimed with it) is its own: the same stem keeps it.
    const ownLabel = info.labelPath !== undefined && pathKey(labelPathOf(wanted)) === pathKey(info.labelPath) && !deduper.has(wanted);
    const claimed = ownLabel
      ? { path: deduper.claim(wanted), labelPath: info.labelPath }
      : labels.yolo
        ? claimWithLabel(deduper, wanted)
        : { path: deduper.claim(wanted), labelPath: undefined };
    planned.delete(item.path);
    inZip.set(claimed.path, inZip.get(item.path) ?? []);
    inZip.delete(item.path);
    item.path = claimed.path;
    planned.set(item.path, { ...info, labelPath: claimed.labelPath });
  };

  const transform: FileTransform = {
    async apply(item, content, note) {
      const records = byFile.get(item.file.uuid) ?? [];
      inZip.set(item.path, records);
      const shapes = records.flatMap((r) => r.shapes);
      const kind = declaredImageKind(item.file.contentType, item.file.originalFilename);
      if (!isDrawable(kind)) {
        if (shapes.length && mode === 'drawn')
          note(
            kind === 'svg'
              ? `annotations not drawn: SVG images are never rendered (their shapes are in ${options.annotationsJson ? ANNOTATIONS_NAME : 'no file'})`
              : `annotations not drawn: ${item.file.contentType || 'this file type'} is not an image the browser decodes${options.annotationsJson ? ` (its shapes are in ${ANNOTATIONS_NAME})` : ''}`,
          );
        if (shapes.length && labelled) note(`not in the label files: ${kind === 'svg' ? 'an SVG image' : 'not an image the browser decodes'}`);
        return null;
      }
      let out: Blob | null = null;
      let size: { width: number; height: number } | null = null;
      let format = formatOf(item.file);
      const animated = format === 'image/webp' && isAnimatedWebp(new Uint8Array(await content.slice(0, 32).arrayBuffer()));
      if (animated) format = 'image/png';
      if (format) {
        const drawn = await annotator.annotate(content, shapes, note, { format, colors, signal: ctx.signal });
        out = drawn.content;
        if (animated && out) renameAsPng(item);
        size = drawn.width && drawn.height ? { width: drawn.width, height: drawn.height } : null;
        if (!size && labelled && shapes.length) note('not in the label files: the image could not be decoded');
      } else if (labelled) size = await annotator.measure(content, note, ctx.signal);
      if (labelled && size) {
        const sources: ShapeSource[] = records.flatMap((r) =>
          r.shapes.map((shape) => ({ shape, submissionId: r.submissionId, reader: readers.get(r.submissionId) ?? null })),
        );
        const image: WrittenImage = { path: item.path, ...size, shapes: sources, seq: planned.get(item.path)?.seq ?? Infinity, labelPath: planned.get(item.path)?.labelPath };
        written.push(image);
        for (const n of labelNotes(image, labels)) note(n);
      }
      return out;
    },
  };

  return caseFilesZip(request, workflow, ctx, {
    transform,
    plan,
    finalEntries: () => [
      ...(options.annotationsJson ? [{ name: ANNOTATIONS_NAME, input: annotationsJson(inZip) }] : []),
      ...labelFileEntries(written, labels, { description: `${workflow.name} – ${order.name}`, dateCreated: new Date().toISOString() }),
    ],
  });
}

async function orderOf(request: { origin: string; workflowId: string; orderId: string | null }, ctx: ExportContext, what: string) {
  if (!request.orderId) throw new Error(`${what} cover one order: select a workflow order first.`);
  const workflow = await contextClient(request.origin, ctx).workflow(request.workflowId);
  const order = workflow.orders.find((o) => o.id === request.orderId);
  if (!order) throw new Error(`Order ${request.orderId} is not in workflow “${workflow.name}”.`);
  return { workflow, order };
}

/** The annotated-case-files exporter: `<workflow-order-name>_annotated-case-files.zip`. */
export async function exportAnnotatedCaseFiles(request: AnnotatedCaseFilesRequest, ctx: ExportContext): Promise<ExportOutput> {
  const { workflow, order } = await orderOf(request, ctx, 'Annotated case files');
  const zip = await annotatedZip(request, workflow, order, ctx, { ...annotatedOptionsFrom(request), annotationsJson: true });
  return { filename: annotatedCaseFilesArchiveName(workflow, order, ctx.delta?.since?.startedAt), ...zip };
}

/** The plain case-files export of one order with COCO/YOLO label files (issue 15, point 4). */
export async function exportCaseFilesWithLabels(request: CaseFilesRequest, ctx: ExportContext): Promise<ExportOutput> {
  const { workflow, order } = await orderOf(request, ctx, 'Label files');
  const zip = await annotatedZip(request, workflow, order, ctx, { images: 'original', labels: labelFileOptionsFrom(request.labels), annotationsJson: false });
  return { filename: caseFilesArchiveName(workflow, order, ctx.delta?.since?.startedAt), ...zip };
}
