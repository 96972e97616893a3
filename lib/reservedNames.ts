/**
 * Names that exports add to a ZIP (product spec 5: "Names that exports add … are reserved before
 * the user's files are named"). One list: every {@link PathDeduper} (lib/naming.ts) is seeded with
 * it before the first user file is named, compared with the same collision key, so a case file
 * named `Export-Report.csv` becomes `Export-Report (2).csv` and ours keeps its fixed name.
 *
 * Decided here: every ZIP export reserves all of them, whether or not it writes that file this
 * time (a report only when something failed, COCO/YOLO only on request): the names a user's files
 * get never depend on what happens to go wrong, and one list is simpler than one per export kind.
 * They are reserved at the ZIP root, where the export writes them; a folder of the user's with one
 * of these names is renamed (`SHA256SUMS (2)/…`), as for any file/folder clash.
 */

/** The list of files left out (or kept with a note), and why. */
export const REPORT_NAME = 'export-report.csv';
/** Annotated case files: every file's shapes as served. */
export const ANNOTATIONS_NAME = 'annotations.json';
/** Annotated case files, COCO 1.0 labels (spec 5). */
export const COCO_ANNOTATIONS_NAME = 'annotations.coco.json';
/** Annotated case files, YOLO class names (spec 5). */
export const YOLO_CLASSES_NAME = 'classes.txt';
/** Annotated case files, YOLO dataset description (spec 5). */
export const YOLO_DATA_NAME = 'data.yaml';
/** Every ZIP's checksums (spec 5). */
export const CHECKSUMS_NAME = 'SHA256SUMS';

/** Every name an export may add at the root of its ZIP, reserved before the user's files are named. */
export const RESERVED_EXPORT_NAMES: readonly string[] = [
  REPORT_NAME,
  ANNOTATIONS_NAME,
  COCO_ANNOTATIONS_NAME,
  YOLO_CLASSES_NAME,
  YOLO_DATA_NAME,
  CHECKSUMS_NAME,
];
