import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { placeOrderInLists } from '../apollo/cache';
import { useSession } from '../auth/SessionProvider';
import { Link } from '../app/router';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from '../ui/announcer';
import { LoadProblem } from '../ui/LoadProblem';
import { describeProblem } from '../ui/errors';
import { newCheckoutKey } from '../ui/hooks';
import { MenuDocument, MenuUpdatesDocument, PlaceOrderDocument } from './operations';

/** Dish id → units in the cart. */
type Cart = ReadonlyMap<string, number>;

export function MenuPage() {
  const { t, formatMoney } = useI18n();
  const { viewer } = useSession();
  const { announce, focusMessage } = useAnnouncer();
  const { data, loading, error } = useQuery(MenuDocument);
  useSubscription(MenuUpdatesDocument, {
    onData: ({ client, data: update }) => {
      if (update.data) client.writeQuery({ query: MenuDocument, data: { menu: update.data.menuUpdates } });
    },
  });
  const menu = data?.menu ?? [];
  const dishName = (id: string) => menu.find((dish) => dish.id === id)?.name;

  const [cart, setCart] = useState<Cart>(new Map());
  // One key per checkout: a double click or a retry of the same cart orders once; a changed cart is a new checkout.
  const checkoutKey = useRef(newCheckoutKey());
  const changeCart = (dishId: string, quantity: number) => {
    checkoutKey.current = newCheckoutKey();
    setCart((current) => {
      const next = new Map(current);
      if (quantity > 0) next.set(dishId, quantity);
      else next.delete(dishId);
      return next;
    });
  };
  const [placeOrder, { loading: placing }] = useMutation(PlaceOrderDocument, {
    update: (cache, { data: placed }) => {
      if (placed) placeOrderInLists(cache, placed.placeOrder, ['myOrders']);
    },
  });
  const [specialRequests, setSpecialRequests] = useState('');
  const inFlight = useRef(false);

  const lines = [...cart].flatMap(([dishId, quantity]) => {
    const dish = menu.find((candidate) => candidate.id === dishId);
    return dish ? [{ dish, quantity }] : [];
  });
  const totalCents = lines.reduce((sum, line) => sum + Math.round(Number(line.dish.price) * 100) * line.quantity, 0);
  const total = (totalCents / 100).toFixed(2);

  const onCheckout = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current || lines.length === 0) return;
    inFlight.current = true;
    try {
      const input = {
        items: lines.map((line) => ({ dishId: line.dish.id, quantity: line.quantity })),
        idempotencyKey: checkoutKey.current,
        ...(specialRequests.trim() ? { specialRequests: specialRequests.trim() } : {}),
      };
      const { data: placed } = await placeOrder({ variables: { input } });
      if (placed) {
        setCart(new Map());
        setSpecialRequests('');
        checkoutKey.current = newCheckoutKey();
        announce(t('cart.placed', { total: formatMoney(placed.placeOrder.total) }));
      }
    } catch (error) {
      announce(describeProblem(error, t, dishName).message, 'failure');
    } finally {
      inFlight.current = false;
      focusMessage();
    }
  };

  return (
    <div className="menu-layout">
      <section aria-labelledby="menu-title">
        <h1 id="menu-title">{t('menu.title')}</h1>
        <p className="hint">{t('menu.live')}</p>
        {lines.length > 0 && (
          <p className="cart-jump">
            <a href="#cart-title">{t('cart.jump', { count: lines.reduce((sum, line) => sum + line.quantity, 0) })}</a>
          </p>
        )}
        <LoadProblem error={error} />
        {loading && !data ? (
          <p>{t('app.loading')}</p>
        ) : menu.length === 0 ? (
          <p>{t('menu.empty')}</p>
        ) : (
          <ul className="cards" aria-label={t('menu.title')}>
            {menu.map((dish) => (
              <li key={dish.id} className="card dish">
                <h2>{dish.name}</h2>
                {dish.description && <p>{dish.description}</p>}
                <p className="dish-meta">
                  <strong>{formatMoney(dish.price)}</strong> <span>{t('menu.inStock', { count: dish.quantity })}</span>
                </p>
                <button
                  type="button"
                  onClick={() => {
                    changeCart(dish.id, (cart.get(dish.id) ?? 0) + 1);
                    announce(t('cart.added', { name: dish.name }));
                  }}
                >
                  {t('menu.add', { name: dish.name })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="cart-title" className="cart">
        <h2 id="cart-title">{t('cart.title')}</h2>
        {lines.length === 0 ? (
          <p>{t('cart.empty')}</p>
        ) : (
          <form onSubmit={onCheckout} className="stack">
            <ul className="cart-lines">
              {lines.map(({ dish, quantity }) => (
                <li key={dish.id}>
                  <label htmlFor={`cart-${dish.id}`}>{dish.name}</label>
                  <input
                    id={`cart-${dish.id}`}
                    type="number"
                    min={0}
                    max={100}
                    value={quantity}
                    onChange={(event) => changeCart(dish.id, Math.max(0, Math.floor(Number(event.target.value) || 0)))}
                  />
                  <button type="button" className="link-button" onClick={() => changeCart(dish.id, 0)}>
                    {t('cart.remove', { name: dish.name })}
                  </button>
                </li>
              ))}
            </ul>
            <p className="total">
              {t('cart.total')}: <strong>{formatMoney(total)}</strong>
            </p>
            <div className="field">
              <label htmlFor="special-requests">{t('cart.specialRequests')}</label>
              <textarea id="special-requests" maxLength={500} rows={2} value={specialRequests} onChange={(event) => setSpecialRequests(event.target.value)} />
            </div>
            {viewer ? (
              <button type="submit" className="primary" disabled={placing} aria-describedby={placing ? 'placing' : undefined}>
                {t('cart.placeOrder')}
              </button>
            ) : (
              <p>
                <Link to="sign-in">{t('cart.signInToOrder')}</Link>
              </p>
            )}
            {placing && <p id="placing" className="hint">{t('cart.placing')}</p>}
          </form>
        )}
      </section>
    </div>
  );
}
