import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { placeOrderInLists } from '../apollo/cache';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from '../ui/announcer';
import { LoadProblem } from '../ui/LoadProblem';
import { describeProblem } from '../ui/errors';
import { CancelMyOrderDocument, MyOrderUpdatesDocument, MyOrdersDocument } from './operations';

export function OrdersPage() {
  const { t, formatMoney, formatDateTime } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const { data, loading, error } = useQuery(MyOrdersDocument);
  useSubscription(MyOrderUpdatesDocument, {
    onData: ({ client, data: update }) => {
      const order = update.data?.myOrderUpdates;
      if (!order) return;
      placeOrderInLists(client.cache, order, ['myOrders']);
      announce(t('orders.statusChanged', { date: formatDateTime(order.createdAt), status: t(`status.${order.status}`) }));
    },
  });
  const [cancelOrder, { loading: cancelling }] = useMutation(CancelMyOrderDocument);
  const onCancel = async (id: string) => {
    try {
      await cancelOrder({ variables: { id } });
      announce(t('orders.cancelled'));
    } catch (error) {
      announce(describeProblem(error, t).message, 'failure');
    }
    focusMessage();
  };
  const orders = data?.myOrders.edges.map((edge) => edge.node) ?? [];

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('orders.title')}</h1>
      <LoadProblem error={error} />
      {loading && !data ? (
        <p>{t('app.loading')}</p>
      ) : orders.length === 0 ? (
        <p>{t('orders.empty')}</p>
      ) : (
        <ul className="cards orders">
          {orders.map((order) => (
            <li key={order.id} className="card order" aria-labelledby={`order-${order.id}`}>
              <h2 id={`order-${order.id}`}>{t('orders.order', { date: formatDateTime(order.createdAt) })}</h2>
              <p>
                <span className={`status status-${order.status}`} data-testid="order-status">{t(`status.${order.status}`)}</span>
              </p>
              <ul className="order-items" aria-label={t('orders.items')}>
                {order.items.map((item) => (
                  <li key={item.dish.id}>
                    {item.quantity} × {item.dish.name} <span className="hint">{formatMoney(item.subtotal)}</span>
                  </li>
                ))}
              </ul>
              {order.specialRequests && <p className="hint">{order.specialRequests}</p>}
              <p className="total">{t('orders.total', { total: formatMoney(order.total) })}</p>
              {order.status === 'WAITING' && (
                <button type="button" disabled={cancelling} onClick={() => void onCancel(order.id)}>
                  {t('orders.cancel')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
