/**
 * Naming the files of an annotated or labelled export (issue 15): as `planCaseFiles`, with two
 * additions, so that every path is final before any byte arrives.
 *
 * - A drawn image written in another format than its own is named as the written file
 *   (`lib/imageFormats.ts`: its original filename's extension becomes `.png` before the path
 *   template runs, so `FILE_EXT`, `ORIGINAL_FILENAME` and `FILENAME` say `.png`).
 * - With YOLO labels, each image's label path (`labelPathOf`) is claimed together with the image:
 *   the image takes the first of `name`, `name (2)`, … whose label path is free as well, and both
 *   are claimed at once. A later file landing on a label path is the one renamed (` (2)`); so a
 *   label file always keeps its image's stem.
 * - The names the export adds at the root (`reserved`) are claimed before any file, unless the
 *   deduper already holds them.
 */
import type { Case, CaseFile, Order, Workflow } from './platform';
import { PathDeduper, withCounter } from './naming';
import { renderPathTemplate, type PathTemplate } from './pathTemplate';
import type { PlannedFile } from './caseFilesPlan';
import { labelPathOf } from './yolo';
import { declaredImageKind, isDrawable, writtenFilename, writtenFormat, type WrittenFormat } from './imageFormats';
import type { ImagesMode, LabelFileOptions } from './annotatedOptions';

export interface LabelNamingOptions {
  /** The file as it is written (its name after a format change); default: itself. */
  written?: (file: CaseFile) => CaseFile;
  /** Whether this file gets a YOLO label file beside it. */
  labelled?: (file: CaseFile) => boolean;
  /** Root names the export adds (`annotations.json`, `classes.txt`…). */
  reserved?: readonly string[];
}

export interface LabelledPlannedFile extends PlannedFile {
  /** The YOLO label path claimed with the image, when it gets one. */
  labelPath?: string;
}

/** Claims an image's path and its label path together; returns both. */
export function claimWithLabel(deduper: PathDeduper, wanted: string): { path: string; labelPath: string } {
  const slash = wanted.lastIndexOf('/');
  const dir = wanted.slice(0, slash + 1);
  const name = wanted.slice(slash + 1) || '_';
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${dir}${name}` : `${dir}${withCounter(name, n, true)}`;
    if (deduper.has(candidate) || deduper.has(labelPathOf(candidate))) continue;
    const path = deduper.claim(candidate);
    return { path, labelPath: deduper.claim(labelPathOf(path)) };
  }
}

/** Claims the export's root names that `deduper` does not hold yet. */
export function reserveNames(deduper: PathDeduper, names: readonly string[]): void {
  for (const name of names) if (!deduper.has(name)) deduper.claim(name);
}

/** `planCaseFiles` with written names and label paths (see the module comment). */
export function labelledPlanner(opts: LabelNamingOptions) {
  let reserved = false;
  return function* plan(
    template: PathTemplate | null,
    workflow: Workflow | { id: string; name: string },
    order: Order | null,
    cases: Iterable<Case>,
    deduper: PathDeduper = new PathDeduper(),
  ): Generator<LabelledPlannedFile> {
    if (!reserved) {
      reserveNames(deduper, opts.reserved ?? []);
      reserved = true;
    }
    for (const c of cases) {
      for (let fileIndex = 0; fileIndex < c.files.length; fileIndex++) {
        const file = c.files[fileIndex];
        const named = opts.written?.(file) ?? file;
        const wanted = renderPathTemplate(template, { workflow, order, case: c, file: named, fileIndex });
        if (opts.labelled?.(file)) {
          const { path, labelPath } = claimWithLabel(deduper, wanted);
          yield { path, labelPath, case: c, file, fileIndex };
        } else yield { path: deduper.claim(wanted), case: c, file, fileIndex };
      }
    }
  };
}

/**
 * The naming rules of an annotated or labelled export: with shapes drawn, a file that has shapes
 * and is an image the canvas draws on is named as written; with YOLO labels, every such image
 * gets a label path. `formatOf` says which format a file is written in (null: unchanged).
 */
export function annotatedNaming(opts: {
  images: ImagesMode;
  labels: LabelFileOptions;
  hasShapes: (file: CaseFile) => boolean;
  canEncode: (type: WrittenFormat) => boolean;
}): Required<Pick<LabelNamingOptions, 'written' | 'labelled'>> & { formatOf: (file: CaseFile) => WrittenFormat | null } {
  const formatOf = (file: CaseFile): WrittenFormat | null => {
    const kind = declaredImageKind(file.contentType, file.originalFilename);
    return opts.images === 'drawn' && isDrawable(kind) && opts.hasShapes(file) ? writtenFormat(kind, opts.canEncode) : null;
  };
  return {
    formatOf,
    written: (file) => {
      const format = formatOf(file);
      const kind = declaredImageKind(file.contentType, file.originalFilename);
      return format && kind ? { ...file, originalFilename: writtenFilename(file.originalFilename, kind, format) } : file;
    },
    labelled: (file) => opts.labels.yolo && isDrawable(declaredImageKind(file.contentType, file.originalFilename)),
  };
}
