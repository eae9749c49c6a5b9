import type { Logger } from '@dishpatch/shared/observability';
import { Kind, parse, print, type FieldNode, type FormattedExecutionResult, type GraphQLFormattedError, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { EVENT_ORDER_VARIABLE, type LiveOperation } from './subscription-operation.js';

/** One subscriber's share of an event query: its field's value, and the errors about it. */
export interface EventFieldResult {
  value: unknown;
  errors: readonly GraphQLFormattedError[] | undefined;
}

/** Runs one event query through the federation with the given request context. */
export type ExecuteEventQuery = (query: string, variables: Record<string, unknown>, context: GatewayContext) => Promise<FormattedExecutionResult>;

/** Whether a batched query's fetches stay under the subgraphs' own request limits. */
export type FitsSubgraphs = (query: string) => boolean;

/** Most orders one federated query asks for (fewer when the subgraphs' limits say so). */
export const MAX_ORDERS_PER_QUERY = 100;
/** Distinct subscription documents whose batched forms are kept (least recently used go first). */
const MAX_TEMPLATES = 500;
const ALIAS = 'dishpatchLive';
const VARIABLE = 'dishpatchLiveOrder';

interface Load {
  orderId: string | undefined;
  resolve: (result: EventFieldResult) => void;
}

interface Group {
  operation: LiveOperation;
  variables: Record<string, unknown>;
  context: GatewayContext;
  loads: Load[];
}

/** A subscription's event query, parsed once, and its batched forms by number of orders. */
class BatchTemplate {
  private readonly operation: OperationDefinitionNode;
  private readonly printed = new Map<number, string>();
  /** Most orders one query of this template may ask for. */
  readonly capacity: number;

  constructor(
    private readonly document: ReturnType<typeof parse>,
    fits: FitsSubgraphs,
  ) {
    this.operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
    // One copy passed the gateway's own guards, stricter than the subgraphs'; find how many more fit.
    let low = 1;
    let high = MAX_ORDERS_PER_QUERY;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fits(this.query(middle))) low = middle;
      else high = middle - 1;
    }
    this.capacity = low;
  }

  /** `dishpatchLive0: order(id: $dishpatchLiveOrder0) { sel } dishpatchLive1: …`, the subscriber's variables and fragments kept. */
  query(orders: number): string {
    let text = this.printed.get(orders);
    if (text !== undefined) return text;
    const root = this.operation.selectionSet.selections[0] as FieldNode;
    const copies = Array.from({ length: orders }, (_, index): FieldNode => ({
      ...root,
      alias: { kind: Kind.NAME, value: `${ALIAS}${index}` },
      arguments: root.arguments?.map((argument) =>
        argument.name.value === 'id' ? { ...argument, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: `${VARIABLE}${index}` } } } : argument,
      ),
    }));
    const shared = (this.operation.variableDefinitions ?? []).filter((definition) => definition.variable.name.value !== EVENT_ORDER_VARIABLE);
    const perOrder = Array.from({ length: orders }, (_, index): VariableDefinitionNode => ({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: `${VARIABLE}${index}` } },
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
    }));
    const batched: OperationDefinitionNode = { ...this.operation, variableDefinitions: [...shared, ...perOrder], selectionSet: { kind: Kind.SELECTION_SET, selections: copies } };
    text = print({ ...this.document, definitions: this.document.definitions.map((definition) => (definition === this.operation ? batched : definition)) });
    this.printed.set(orders, text);
    return text;
  }
}

/**
 * Event queries, batched. Every load asked for in one turn of the event loop (a stream entry's
 * fan-out, and each subscriber's queued events, are asked for at once) is grouped by what
 * decides its answer apart from the order: the subscription's document, its variables and the
 * subscriber's Authorization. A group becomes one federated query per MAX_ORDERS_PER_QUERY
 * orders (or fewer: as many as keep its fetches under the subgraphs' own limits), each order once under an alias of its own, so the query planner makes one fetch to
 * the orders subgraph and one `_entities` fetch to auth for all of them, instead of one of each
 * per order and per subscriber. Rights stay the query's: the subgraphs check the one token the
 * whole group shares. The batch's other request details (request id, address, user agent, seen
 * in the subgraphs' logs) are its first subscriber's.
 */
export class EventQueryBatches {
  private readonly pending = new Map<string, Group>();
  private readonly templates = new Map<string, BatchTemplate>();
  private scheduled = false;

  constructor(
    private readonly execute: ExecuteEventQuery,
    private readonly fits: FitsSubgraphs,
    private readonly logger: Logger,
  ) {}

  /** The subscriber's field for one order (or the menu, with no order): never rejects; a failure is an error result. */
  load(operation: LiveOperation, variables: Record<string, unknown>, context: GatewayContext, orderId: string | undefined): Promise<EventFieldResult> {
    const key = `${context.authorization ?? ''}\n${JSON.stringify(variables)}\n${operation.query}`;
    let group = this.pending.get(key);
    if (!group) this.pending.set(key, (group = { operation, variables, context, loads: [] }));
    const loads = group.loads;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve) => loads.push({ orderId, resolve }));
  }

  private flush(): void {
    this.scheduled = false;
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const group of groups) {
      if (group.operation.field === 'menuUpdates') {
        void this.run(group, group.operation.query, group.variables, (data, errors) => {
          const result = { value: data?.[group.operation.responseKey], errors };
          for (const load of group.loads) load.resolve(result);
        });
        continue;
      }
      const orderIds = [...new Set(group.loads.map((load) => load.orderId!))];
      const template = this.template(group.operation.query);
      for (let start = 0; start < orderIds.length; start += template.capacity) this.runOrders(group, template, orderIds.slice(start, start + template.capacity));
    }
  }

  private runOrders(group: Group, template: BatchTemplate, orderIds: string[]): void {
    const variables = { ...group.variables };
    orderIds.forEach((orderId, index) => (variables[`${VARIABLE}${index}`] = orderId));
    void this.run(group, template.query(orderIds.length), variables, (data, errors) => {
      const byOrder = new Map<string, EventFieldResult>();
      orderIds.forEach((orderId, index) => {
        const alias = `${ALIAS}${index}`;
        const own = errors
          ?.filter((error) => error.path === undefined || error.path[0] === alias)
          .map((error) => (error.path === undefined ? error : { ...error, path: [group.operation.responseKey, ...error.path.slice(1)] }));
        byOrder.set(orderId, { value: data?.[alias], errors: own?.length ? own : undefined });
      });
      for (const load of group.loads) {
        const result = byOrder.get(load.orderId!);
        if (result) load.resolve(result);
      }
    });
  }

  private async run(group: Group, query: string, variables: Record<string, unknown>, split: (data: Record<string, unknown> | null | undefined, errors: readonly GraphQLFormattedError[] | undefined) => void): Promise<void> {
    let result: FormattedExecutionResult;
    try {
      result = await this.execute(query, variables, group.context);
    } catch (error) {
      this.logger.error({ err: error }, 'a live event query failed');
      result = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
    split(result.data as Record<string, unknown> | null | undefined, result.errors);
  }

  private template(query: string): BatchTemplate {
    let template = this.templates.get(query);
    if (template) {
      this.templates.delete(query);
    } else {
      template = new BatchTemplate(parse(query), this.fits);
      if (this.templates.size >= MAX_TEMPLATES) this.templates.delete(this.templates.keys().next().value!);
    }
    this.templates.set(query, template);
    return template;
  }
}
