/**
 * The choices of the annotated and labelled exports (issue 15, point 3): which images go in, which
 * label files go beside them. Checked with an allow-list wherever they arrive (a request from a
 * page, a remembered choice from storage): anything else is the default.
 */

/** `drawn`: shapes drawn on the images (default); `original`: the platform's bytes, unchanged. */
export type ImagesMode = 'drawn' | 'original';

/** Label files the export adds (both off by default). */
export interface LabelFileOptions {
  coco: boolean;
  yolo: boolean;
}

export interface AnnotatedOptions {
  images: ImagesMode;
  labels: LabelFileOptions;
}

export const DEFAULT_ANNOTATED_OPTIONS: AnnotatedOptions = { images: 'drawn', labels: { coco: false, yolo: false } };

/** The `chrome.storage.local` key the dialogs remember these choices under. */
export const ANNOTATED_OPTIONS_KEY = 'annotatedOptions';

/** Label-file options from anything: only a literal `true` turns one on. */
export function labelFileOptionsFrom(raw: unknown): LabelFileOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return { coco: o.coco === true, yolo: o.yolo === true };
}

/** Annotated-export options from anything (a request, a stored value). */
export function annotatedOptionsFrom(raw: unknown): AnnotatedOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return { images: o.images === 'original' ? 'original' : 'drawn', labels: labelFileOptionsFrom(o.labels) };
}

export const wantsLabelFiles = (labels: LabelFileOptions | undefined): boolean => !!labels && (labels.coco || labels.yolo);
