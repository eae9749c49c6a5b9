import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  print,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';

/** The contract's four live fields. */
export type LiveFieldName = 'orderUpdated' | 'myOrderUpdates' | 'kitchenUpdates' | 'menuUpdates';
const LIVE_FIELDS = new Set<string>(['orderUpdated', 'myOrderUpdates', 'kitchenUpdates', 'menuUpdates']);

/** The variable the gateway adds for the order an event names (myOrderUpdates, kitchenUpdates). */
export const EVENT_ORDER_VARIABLE = 'dishpatchLiveOrderId';
/**
 * An extra field added to every order selection so the gateway learns the status it resolved
 * (orderUpdated completes on DONE or CANCELLED), removed before the client sees the result.
 */
export const STATUS_PROBE_ALIAS = 'dishpatchLiveStatus';

/**
 * A subscription document turned into the query that resolves one of its events through the
 * federation: `orderUpdated(id: …) { sel }` → `orderUpdated: order(id: …) { sel }`, the
 * other order feeds → `order(id: $dishpatchLiveOrderId)`, `menuUpdates { sel }` →
 * `menuUpdates: menu { sel }`. The alias keeps the subscription's response key, so the query's
 * `data` is the event's `data` as it is.
 */
export interface LiveOperation {
  field: LiveFieldName;
  /** The response key in `data` (the field's alias, or its name). */
  responseKey: string;
  /** The query text, printed once; identical subscriptions share it (and their in-flight answers). */
  query: string;
  operationName: string | undefined;
  /** orderUpdated's order id, as written: inline, or the variable that holds it. */
  orderIdArgument?: { literal: string } | { variable: string };
}

/** The order id an orderUpdated subscription names, once its variables are known. */
export function subscribedOrderId(operation: LiveOperation, variables: Record<string, unknown>): string | undefined {
  const argument = operation.orderIdArgument;
  if (!argument) return undefined;
  const value = 'literal' in argument ? argument.literal : variables[argument.variable];
  return typeof value === 'string' ? value : undefined;
}

export type ParsedRequest =
  | { kind: 'subscription'; operation: LiveOperation }
  | { kind: 'other' }
  | { kind: 'invalid'; error: GraphQLError };

function invalid(message: string, code = 'GRAPHQL_VALIDATION_FAILED'): ParsedRequest {
  return { kind: 'invalid', error: new GraphQLError(message, { extensions: { code } }) };
}

function chosenOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * Reads a request's document far enough to tell a subscription from anything else, and turns a
 * subscription into its event query. Field and argument checks are left to the gateway's own
 * validation of that query (with the depth and cost guards), which sees the same selection.
 */
export function parseLiveRequest(query: unknown, operationName: unknown, maxTokens: number): ParsedRequest {
  if (typeof query !== 'string' || query.trim() === '') return invalid('Send the operation as a "query" string', 'BAD_REQUEST');
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch (error) {
    return invalid(error instanceof GraphQLError ? error.message : 'The document could not be parsed', 'GRAPHQL_PARSE_FAILED');
  }
  const name = typeof operationName === 'string' && operationName !== '' ? operationName : undefined;
  const operation = chosenOperation(document, name);
  if (!operation) {
    return invalid(name ? `Unknown operation named "${name}"` : 'The document holds several operations: say which to run with operationName', 'OPERATION_RESOLUTION_FAILURE');
  }
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return { kind: 'other' };
  const fields = operation.selectionSet.selections;
  const root = fields[0];
  if (fields.length !== 1 || root?.kind !== Kind.FIELD) {
    return invalid('A subscription selects exactly one field of Subscription, with no fragments at its root');
  }
  if (!LIVE_FIELDS.has(root.name.value)) return invalid(`Cannot query field "${root.name.value}" on type "Subscription"`);
  const field = root.name.value as LiveFieldName;
  const responseKey = root.alias?.value ?? field;
  const rewritten = rewriteRoot(root, field, responseKey);
  const queryOperation: OperationDefinitionNode = {
    ...operation,
    operation: OperationTypeNode.QUERY,
    variableDefinitions: [...(operation.variableDefinitions ?? []), ...(field === 'myOrderUpdates' || field === 'kitchenUpdates' ? [eventOrderVariable()] : [])],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [rewritten] },
  };
  const queryDocument: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: document.definitions.flatMap((definition): DefinitionNode[] => {
      if (definition === operation) return [queryOperation];
      return definition.kind === Kind.FRAGMENT_DEFINITION ? [definition] : [];
    }),
  };
  const idValue = root.arguments?.find((argument) => argument.name.value === 'id')?.value;
  const orderIdArgument =
    idValue?.kind === Kind.STRING ? { literal: idValue.value } : idValue?.kind === Kind.VARIABLE ? { variable: idValue.name.value } : undefined;
  return { kind: 'subscription', operation: { field, responseKey, query: print(queryDocument), operationName: operation.name?.value, orderIdArgument } };
}

function rewriteRoot(root: FieldNode, field: LiveFieldName, responseKey: string): FieldNode {
  const alias = { kind: Kind.NAME, value: responseKey } as const;
  if (field === 'menuUpdates') return { ...root, alias, name: { kind: Kind.NAME, value: 'menu' } };
  const selections = [
    ...(root.selectionSet?.selections ?? []),
    { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: STATUS_PROBE_ALIAS }, name: { kind: Kind.NAME, value: 'status' } } as FieldNode,
  ];
  const args =
    field === 'orderUpdated'
      ? root.arguments
      : [...(root.arguments ?? []), { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ORDER_VARIABLE } } } as const];
  return { ...root, alias, name: { kind: Kind.NAME, value: 'order' }, arguments: args, selectionSet: { kind: Kind.SELECTION_SET, selections } };
}

function eventOrderVariable() {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ORDER_VARIABLE } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  } as const;
}
