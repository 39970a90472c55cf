import { useEffect, useState } from 'react';

/** A few routes under /console need no router library: the History API and one listener. */
export const BASE = '/console';

export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const read = () => ({ path: window.location.pathname, search: new URLSearchParams(window.location.search) });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return location;
}

/** Sets query parameters of the current URL (asOf, knownAt), so that the page is a link to send. */
export function setSearch(params: Record<string, string | undefined>): void {
  const search = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') search.delete(k);
    else search.set(k, v);
  }
  const q = search.toString();
  navigate(`${window.location.pathname}${q === '' ? '' : `?${q}`}`);
}

export function Link(props: { href: string; children: React.ReactNode; className?: string; testId?: string }) {
  return (
    <a
      href={props.href}
      className={props.className}
      data-testid={props.testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
