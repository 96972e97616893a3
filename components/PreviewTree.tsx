import type { TreeNode } from '../lib/caseFilesPlan';

/** The preview of a path template's tree (case-files dialogs and the options' favourites). */
export function PreviewTree(props: { nodes: TreeNode[] }) {
  return (
    <>
      {props.nodes.map((n) =>
        n.children ? (
          <li class="we-folder">
            <span>{n.name}/</span>
            <ul>
              <PreviewTree nodes={n.children} />
            </ul>
          </li>
        ) : (
          <li class="we-file">{n.name}</li>
        ),
      )}
    </>
  );
}
