import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The contract's four live fields. */
export type LiveFieldName = 'orderUpdated' | 'myOrderUpdates' | 'kitchenUpdates' | 'menuUpdates';
const LIVE_FIELDS = new Set<string>(['orderUpdated', 'myOrderUpdates', 'kitchenUpdates', 'menuUpdates']);

/** The variable that names the order an event query resolves (every order feed). */
export const EVENT_ORDER_VARIABLE = 'dishpatchLiveOrderId';
/**
 * An extra field added to every order selection so the gateway learns the order's history as
 * resolved: its last status (orderUpdated completes on DONE or CANCELLED) and where an older
 * event's change sits in it (see event-state.ts). Removed before the client sees the result.
 */
export const HISTORY_PROBE_ALIAS = 'dishpatchLiveHistory';

/** The response keys, in an order selection, of the fields a status change changes. */
export interface ChangedFieldKeys {
  status: string[];
  statusHistory: string[];
  updatedAt: string[];
}

/**
 * A subscription document turned into the query that resolves one of its events through the
 * federation: the order feeds' `orderUpdated(id: …) { sel }`, `myOrderUpdates { sel }`,
 * `kitchenUpdates { sel }` → `<key>: order(id: $dishpatchLiveOrderId) { sel }`,
 * `menuUpdates { sel }` → `menuUpdates: menu { sel }`. The alias keeps the subscription's
 * response key, so the query's `data` is the event's `data` as it is. This query is what the
 * gateway's guards validate; events run it in batches (event-batches.ts).
 */
export interface LiveOperation {
  field: LiveFieldName;
  /** The response key in `data` (the field's alias, or its name). */
  responseKey: string;
  /** The query text, printed once. */
  query: string;
  operationName: string | undefined;
  /** orderUpdated's order id, as written: inline, or the variable that holds it. */
  orderIdArgument?: { literal: string } | { variable: string };
  /** orderUpdated's id variable when the query no longer uses it (the order id goes in $dishpatchLiveOrderId). */
  unusedVariable?: string;
  /** Where the subscriber's selection shows the fields a status change changes (order feeds). */
  changedFields?: ChangedFieldKeys;
}

/** The order id an orderUpdated subscription names, once its variables are known. */
export function subscribedOrderId(operation: LiveOperation, variables: Record<string, unknown>): string | undefined {
  const argument = operation.orderIdArgument;
  if (!argument) return undefined;
  const value = 'literal' in argument ? argument.literal : variables[argument.variable];
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined;
}

/** The variables an event query takes from its subscriber (the order id is the event's own). */
export function eventVariables(operation: LiveOperation, variables: Record<string, unknown>): Record<string, unknown> {
  if (operation.unusedVariable === undefined || !(operation.unusedVariable in variables)) return variables;
  const { [operation.unusedVariable]: _orderId, ...rest } = variables;
  return rest;
}

/** A request's document as read once; `document` is parsed without locations, to be shared. */
export type ParsedRequest =
  | { kind: 'subscription'; operation: LiveOperation; document: DocumentNode }
  | { kind: 'other'; document: DocumentNode }
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
    document = parse(query, { maxTokens, noLocation: true });
  } catch (error) {
    return invalid(error instanceof GraphQLError ? error.message : 'The document could not be parsed', 'GRAPHQL_PARSE_FAILED');
  }
  const name = typeof operationName === 'string' && operationName !== '' ? operationName : undefined;
  const operation = chosenOperation(document, name);
  if (!operation) {
    return invalid(name ? `Unknown operation named "${name}"` : 'The document holds several operations: say which to run with operationName', 'OPERATION_RESOLUTION_FAILURE');
  }
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return { kind: 'other', document };
  const fields = operation.selectionSet.selections;
  const root = fields[0];
  if (fields.length !== 1 || root?.kind !== Kind.FIELD) {
    return invalid('A subscription selects exactly one field of Subscription, with no fragments at its root');
  }
  if (!LIVE_FIELDS.has(root.name.value)) return invalid(`Cannot query field "${root.name.value}" on type "Subscription"`);
  const field = root.name.value as LiveFieldName;
  const responseKey = root.alias?.value ?? field;
  const idValue = root.arguments?.find((argument) => argument.name.value === 'id')?.value;
  const orderIdArgument =
    idValue?.kind === Kind.STRING || idValue?.kind === Kind.INT ? { literal: idValue.value } : idValue?.kind === Kind.VARIABLE ? { variable: idValue.name.value } : undefined;
  const fragments = document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
  const queryOperation: OperationDefinitionNode = {
    ...operation,
    operation: OperationTypeNode.QUERY,
    variableDefinitions: [...(operation.variableDefinitions ?? []), ...(field === 'menuUpdates' ? [] : [eventOrderVariable()])],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [rewriteRoot(root, field, responseKey)] },
  };
  // orderUpdated's `$id` now feeds nothing but the order id the gateway reads: GraphQL refuses an unused variable.
  const idVariable = orderIdArgument && 'variable' in orderIdArgument ? orderIdArgument.variable : undefined;
  const unusedVariable = idVariable !== undefined && !usesVariable([{ ...queryOperation, variableDefinitions: [] }, ...fragments], idVariable) ? idVariable : undefined;
  const queryDocument: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: document.definitions.flatMap((definition): DefinitionNode[] => {
      if (definition === operation) {
        if (unusedVariable === undefined) return [queryOperation];
        return [{ ...queryOperation, variableDefinitions: queryOperation.variableDefinitions?.filter((definition) => definition.variable.name.value !== unusedVariable) }];
      }
      return definition.kind === Kind.FRAGMENT_DEFINITION ? [definition] : [];
    }),
  };
  return {
    kind: 'subscription',
    document,
    operation: {
      field,
      responseKey,
      query: print(queryDocument),
      operationName: operation.name?.value,
      ...(orderIdArgument ? { orderIdArgument } : {}),
      ...(unusedVariable === undefined ? {} : { unusedVariable }),
      ...(field === 'menuUpdates' ? {} : { changedFields: changedFieldKeys(root.selectionSet, fragments) }),
    },
  };
}

function usesVariable(nodes: ReadonlyArray<OperationDefinitionNode | FragmentDefinitionNode>, name: string): boolean {
  let used = false;
  for (const node of nodes) {
    visit(node, {
      Variable(variable) {
        if (variable.name.value === name) used = true;
      },
    });
  }
  return used;
}

/** The response keys of status, statusHistory and updatedAt at the top of an order selection, through its fragments. */
function changedFieldKeys(selectionSet: SelectionSetNode | undefined, fragments: readonly FragmentDefinitionNode[]): ChangedFieldKeys {
  const keys: ChangedFieldKeys = { status: [], statusHistory: [], updatedAt: [] };
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === 'status' || name === 'statusHistory' || name === 'updatedAt') keys[name].push(selection.alias?.value ?? name);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        walk(fragments.find((fragment) => fragment.name.value === selection.name.value)?.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return keys;
}

function rewriteRoot(root: FieldNode, field: LiveFieldName, responseKey: string): FieldNode {
  const alias = { kind: Kind.NAME, value: responseKey } as const;
  if (field === 'menuUpdates') return { ...root, alias, name: { kind: Kind.NAME, value: 'menu' } };
  const probe: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: HISTORY_PROBE_ALIAS },
    name: { kind: Kind.NAME, value: 'statusHistory' },
    selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'status' } }] },
  };
  const args = [
    ...(root.arguments ?? []).filter((argument) => argument.name.value !== 'id'),
    { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ORDER_VARIABLE } } } as const,
  ];
  return { ...root, alias, name: { kind: Kind.NAME, value: 'order' }, arguments: args, selectionSet: { kind: Kind.SELECTION_SET, selections: [...(root.selectionSet?.selections ?? []), probe] } };
}

function eventOrderVariable() {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EVENT_ORDER_VARIABLE } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  } as const;
}

/** Distinct documents whose parsed form is kept. */
const MAX_PARSED_REQUESTS = 500;

/**
 * parseLiveRequest's answers by document and operation name, least recently used dropped first:
 * identical subscriptions (thousands of clients of one app) share one LiveOperation and one
 * document instead of each holding its own parse.
 */
export class ParsedRequests {
  private readonly parsed = new Map<string, ParsedRequest>();

  constructor(private readonly maxTokens: number) {}

  parse(query: unknown, operationName: unknown): ParsedRequest {
    if (typeof query !== 'string') return parseLiveRequest(query, operationName, this.maxTokens);
    const key = `${typeof operationName === 'string' ? operationName : ''}\n${query}`;
    let parsed = this.parsed.get(key);
    if (parsed) {
      this.parsed.delete(key);
    } else {
      parsed = parseLiveRequest(query, operationName, this.maxTokens);
      if (this.parsed.size >= MAX_PARSED_REQUESTS) this.parsed.delete(this.parsed.keys().next().value!);
    }
    this.parsed.set(key, parsed);
    return parsed;
  }
}
