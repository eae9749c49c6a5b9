import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useRef, type RefObject } from 'react';
import { placeOrderInLists } from '../apollo/cache';
import type { KitchenOrderFragment, OrderStatus } from '../gql/graphql';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from '../ui/announcer';
import { describeProblem } from '../ui/errors';
import { useNow } from '../ui/hooks';
import { LoadProblem } from '../ui/LoadProblem';
import { AdvanceOrderDocument, CancelKitchenOrderDocument, KitchenColumnDocument, KitchenUpdatesDocument } from './operations';

const COLUMNS = ['WAITING', 'IN_PROGRESS'] as const;
type Column = (typeof COLUMNS)[number];
type ColumnHeadings = RefObject<Partial<Record<OrderStatus, HTMLHeadingElement | null>>>;

/** When the order entered the stage it is in: an order changes only by moving from stage to stage. */
function stageStartedAt(order: KitchenOrderFragment): number {
  return Date.parse(order.updatedAt);
}

function useCustomerName() {
  const { t } = useI18n();
  return (order: KitchenOrderFragment) => order.customer?.username ?? t('kitchen.unknownCustomer');
}

function KitchenColumn({ status, now, headings }: { status: Column; now: number; headings: ColumnHeadings }) {
  const { t } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const customerOf = useCustomerName();
  const { data, loading, error } = useQuery(KitchenColumnDocument, { variables: { status } });
  const update = (cache: Parameters<typeof placeOrderInLists>[0], order: KitchenOrderFragment | undefined) => {
    if (order) placeOrderInLists(cache, order, ['orders']);
  };
  const [advance] = useMutation(AdvanceOrderDocument, { update: (cache, { data: moved }) => update(cache, moved?.advanceOrder) });
  const [cancel] = useMutation(CancelKitchenOrderDocument, { update: (cache, { data: moved }) => update(cache, moved?.cancelOrder) });

  const act = async (order: KitchenOrderFragment, action: 'advance' | 'cancel') => {
    try {
      const result = action === 'advance' ? (await advance({ variables: { id: order.id } })).data?.advanceOrder : (await cancel({ variables: { id: order.id } })).data?.cancelOrder;
      if (result) announce(t('kitchen.moved', { customer: customerOf(result), status: t(`status.${result.status}`) }));
      // The card left this column: focus follows it to its new column, or stays on this one.
      (headings.current[result?.status ?? status] ?? headings.current[status])?.focus();
    } catch (problem) {
      announce(describeProblem(problem, t).message, 'failure');
      focusMessage();
    }
  };

  // The queue is worked oldest first.
  const orders = (data?.orders.edges.map((edge) => edge.node) ?? []).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return (
    <section className="column" aria-labelledby={`column-${status}`} data-status={status}>
      <h2 id={`column-${status}`} tabIndex={-1} ref={(element) => void (headings.current[status] = element)}>
        {t(`status.${status}`)} <span className="count">{orders.length}</span>
      </h2>
      <LoadProblem error={error} />
      {loading && !data ? (
        <p>{t('app.loading')}</p>
      ) : orders.length === 0 ? (
        <p className="hint">{t('kitchen.empty')}</p>
      ) : (
        <ul className="cards">
          {orders.map((order) => {
            const seconds = Math.max(0, Math.floor((now - stageStartedAt(order)) / 1000));
            return (
              <li key={order.id} className="card ticket" aria-labelledby={`ticket-${order.id}`}>
                <h3 id={`ticket-${order.id}`}>{t('kitchen.orderOf', { customer: customerOf(order) })}</h3>
                <ul className="order-items">
                  {order.items.map((item) => (
                    <li key={item.dish.id}>
                      <strong>{item.quantity}</strong> × {item.dish.name}
                    </li>
                  ))}
                </ul>
                {order.specialRequests && <p className="special">{order.specialRequests}</p>}
                <p className="hint">
                  <time dateTime={`PT${seconds}S`}>{t('kitchen.inStage', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 })}</time>
                </p>
                <div className="actions">
                  <button type="button" className="primary" aria-describedby={`ticket-${order.id}`} onClick={() => void act(order, 'advance')}>
                    {t(status === 'WAITING' ? 'kitchen.start' : 'kitchen.finish')}
                  </button>
                  <button type="button" aria-describedby={`ticket-${order.id}`} onClick={() => void act(order, 'cancel')}>
                    {t('kitchen.cancel')}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function KitchenPage() {
  const { t } = useI18n();
  const { announce } = useAnnouncer();
  const customerOf = useCustomerName();
  const now = useNow(1000);
  const headings: ColumnHeadings = useRef({});
  useSubscription(KitchenUpdatesDocument, {
    onData: ({ client, data: update }) => {
      const order = update.data?.kitchenUpdates;
      if (!order) return;
      placeOrderInLists(client.cache, order, ['orders']);
      announce(t('kitchen.moved', { customer: customerOf(order), status: t(`status.${order.status}`) }));
    },
  });
  return (
    <section aria-labelledby="kitchen-title">
      <h1 id="kitchen-title">{t('kitchen.title')}</h1>
      <div className="board">
        {COLUMNS.map((status) => (
          <KitchenColumn key={status} status={status} now={now} headings={headings} />
        ))}
      </div>
    </section>
  );
}
