import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query selects the field at `path` below the field being resolved, through
 * fragments too. @skip and @include are not evaluated: a skipped field counts as selected,
 * which only reads what the answer then leaves out.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((field) => field.selectionSet !== undefined && selectsIn(field.selectionSet, path, info.fragments));
}

function selectsIn(selectionSet: SelectionSetNode, path: readonly string[], fragments: Record<string, FragmentDefinitionNode>): boolean {
  const [name, ...rest] = path;
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== name) return false;
      return rest.length === 0 || (selection.selectionSet !== undefined && selectsIn(selection.selectionSet, rest, fragments));
    }
    const fragmentSelections = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
    return fragmentSelections !== undefined && selectsIn(fragmentSelections, path, fragments);
  });
}
