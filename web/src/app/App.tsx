import { useEffect, useRef, type ReactNode } from 'react';
import { RegisterPage, SignInPage } from '../auth/AuthForms';
import { useSession } from '../auth/SessionProvider';
import type { Role } from '../gql/graphql';
import { MenuPage } from '../customer/MenuPage';
import { OrdersPage } from '../customer/OrdersPage';
import { KitchenPage } from '../kitchen/KitchenPage';
import { DishesPage } from '../manager/DishesPage';
import { StaffPage } from '../manager/StaffPage';
import { LANGUAGES, useI18n, type Language } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { AnnouncerRegions } from '../ui/announcer';
import { Link, navigate, useRoute, type Route } from './router';

/** Who may open each page; a page not listed is for everyone. */
const ALLOWED: Partial<Record<Route, readonly Role[]>> = {
  orders: ['CUSTOMER', 'CHEF', 'MANAGER'],
  kitchen: ['CHEF', 'MANAGER'],
  dishes: ['MANAGER'],
  staff: ['MANAGER'],
};

const NAVIGATION: readonly { route: Route; label: MessageKey }[] = [
  { route: 'menu', label: 'nav.menu' },
  { route: 'orders', label: 'nav.orders' },
  { route: 'kitchen', label: 'nav.kitchen' },
  { route: 'dishes', label: 'nav.dishes' },
  { route: 'staff', label: 'nav.staff' },
];

function page(route: Route): ReactNode {
  switch (route) {
    case 'menu':
      return <MenuPage />;
    case 'orders':
      return <OrdersPage />;
    case 'kitchen':
      return <KitchenPage />;
    case 'dishes':
      return <DishesPage />;
    case 'staff':
      return <StaffPage />;
    case 'sign-in':
      return <SignInPage />;
    case 'register':
      return <RegisterPage />;
  }
}

export function App() {
  const { t, language, setLanguage } = useI18n();
  const { viewer, restoring, signOut } = useSession();
  const route = useRoute() ?? 'menu';
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const allowed = ALLOWED[route];
  const mayOpen = (candidate: Route) => !ALLOWED[candidate] || (viewer !== null && ALLOWED[candidate].includes(viewer.role));

  // A new page moves focus to its content (as a page load would), except on the first load.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);

  const onSignOut = async () => {
    await signOut();
    navigate('sign-in');
  };

  let content: ReactNode;
  if (restoring) content = <p>{t('auth.restoring')}</p>;
  else if (allowed && !viewer) content = <SignInPage />;
  else if (allowed && viewer && !allowed.includes(viewer.role)) content = <p>{t('auth.forbidden')}</p>;
  else content = page(route);

  return (
    <>
      <a className="skip-link" href="#main">{t('app.skipToContent')}</a>
      <header className="top">
        <div className="brand">{t('app.title')}</div>
        <nav aria-label={t('nav.label')}>
          <ul>
            {NAVIGATION.filter((item) => mayOpen(item.route)).map((item) => (
              <li key={item.route}>
                <Link to={item.route} aria-current={route === item.route ? 'page' : undefined}>{t(item.label)}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {viewer ? (
            <>
              <span className="who">{t('nav.signedInAs', { name: viewer.username, role: t(`role.${viewer.role}`) })}</span>
              <button type="button" className="link-button" onClick={() => void onSignOut()}>{t('nav.signOut')}</button>
            </>
          ) : (
            !restoring && (
              <>
                <Link to="sign-in" aria-current={route === 'sign-in' ? 'page' : undefined}>{t('nav.signIn')}</Link>
                <Link to="register" aria-current={route === 'register' ? 'page' : undefined}>{t('nav.register')}</Link>
              </>
            )
          )}
          <label className="visually-hidden" htmlFor="language">{t('app.language')}</label>
          <select id="language" value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
            {Object.entries(LANGUAGES).map(([code, name]) => (
              <option key={code} value={code} lang={code}>{name}</option>
            ))}
          </select>
        </div>
      </header>
      <AnnouncerRegions />
      <main id="main" ref={main} tabIndex={-1}>
        {content}
      </main>
    </>
  );
}
