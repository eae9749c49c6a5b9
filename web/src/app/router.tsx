import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** Where the gateway serves the app; Vite's `base`. */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export const ROUTES = ['menu', 'orders', 'kitchen', 'dishes', 'staff', 'sign-in', 'register'] as const;
export type Route = (typeof ROUTES)[number];

const PATHS: Record<Route, string> = {
  menu: '/',
  orders: '/orders',
  kitchen: '/kitchen',
  dishes: '/dishes',
  staff: '/staff',
  'sign-in': '/sign-in',
  register: '/register',
};

export function hrefOf(route: Route): string {
  return `${BASE}${PATHS[route]}`;
}

function currentRoute(): Route | null {
  const path = window.location.pathname.slice(BASE.length) || '/';
  const normalised = path.length > 1 ? path.replace(/\/$/, '') : path;
  return ROUTES.find((route) => PATHS[route] === normalised) ?? null;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function navigate(route: Route): void {
  window.history.pushState(null, '', hrefOf(route));
  listeners.forEach((listener) => listener());
}

/** The route the address bar shows; null for a path the app does not know. */
export function useRoute(): Route | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    currentRoute,
  );
}

/** A real link (it opens in a new tab, it can be copied) that changes the page without a reload. */
export function Link({ to, ...props }: { to: Route } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={hrefOf(to)} onClick={onClick} {...props} />;
}
