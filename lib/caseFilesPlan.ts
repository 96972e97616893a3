/**
 * The plan of a case-file ZIP (spec 1b): the final, deduplicated path of every file, and the tree
 * the dialog previews as the user types. Pure: no DOM, no Node APIs.
 */
import type { Case, CaseFile, Order, Workflow } from './platform.ts';
import { PathDeduper } from './naming.ts';
import { renderPathTemplate, type PathTemplate } from './pathTemplate.ts';

export interface PlannedFile {
  /** The file's final path in the ZIP: relative, `/`-separated, unique case-insensitively. */
  path: string;
  case: Case;
  file: CaseFile;
  /** 0-based index of `file` in `case.files` (upload order). */
  fileIndex: number;
}

/**
 * The final, deduplicated ZIP path of every file, in case order then upload order, lazily. Pass
 * one `deduper` across pages of cases so that paths stay unique over the whole export.
 */
export function* planCaseFiles(
  template: PathTemplate | null,
  workflow: Workflow | { id: string; name: string },
  order: Order | null,
  cases: Iterable<Case>,
  deduper: PathDeduper = new PathDeduper(),
): Generator<PlannedFile> {
  for (const c of cases) {
    for (let fileIndex = 0; fileIndex < c.files.length; fileIndex++) {
      const file = c.files[fileIndex];
      const path = deduper.claim(renderPathTemplate(template, { workflow, order, case: c, file, fileIndex }));
      yield { path, case: c, file, fileIndex };
    }
  }
}

/** A node of the preview tree: a folder has `children`, a file has none. */
export interface TreeNode {
  name: string;
  /** Full path in the ZIP (for keys in a list). */
  path: string;
  children?: TreeNode[];
}

/**
 * The tree of `paths` for the dialog's live preview: in each folder, its folders first, then its
 * files, each in the order they first appear (the ZIP's order).
 */
export function previewTree(paths: Iterable<string>): TreeNode[] {
  interface Building {
    node: TreeNode;
    folders: Map<string, Building>;
    files: TreeNode[];
  }
  const root: Building = { node: { name: '', path: '', children: [] }, folders: new Map(), files: [] };
  for (const path of paths) {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) continue;
    let dir = root;
    for (const seg of segments.slice(0, -1)) {
      let next = dir.folders.get(seg);
      if (!next) {
        const p = dir.node.path ? `${dir.node.path}/${seg}` : seg;
        next = { node: { name: seg, path: p, children: [] }, folders: new Map(), files: [] };
        dir.folders.set(seg, next);
      }
      dir = next;
    }
    const name = segments[segments.length - 1];
    dir.files.push({ name, path: dir.node.path ? `${dir.node.path}/${name}` : name });
  }
  const finish = (b: Building): TreeNode[] => [
    ...[...b.folders.values()].map((f) => ({ ...f.node, children: finish(f) })),
    ...b.files,
  ];
  return finish(root);
}

/** The tree as indented text: a folder's line is `name/`, its children indented two spaces. */
export function renderTreeText(nodes: readonly TreeNode[], indent = ''): string {
  return nodes
    .map((n) =>
      n.children
        ? [`${indent}${n.name}/`, ...(n.children.length ? [renderTreeText(n.children, `${indent}  `)] : [])].join('\n')
        : `${indent}${n.name}`,
    )
    .join('\n');
}
