/**
 * A small History API router: every view has its own URL under /console/, its filters in the
 * query string (the API's parameter names), and back/forward re-render from the URL alone.
 */
import { useEffect, useState } from "preact/hooks";

export const BASE = "/console/";
const CHANGE = "console:navigate";

export interface Location {
  /** the path below /console/, without a leading slash: "", "violations", "violations/abc" */
  readonly path: string;
  readonly query: URLSearchParams;
}

function current(): Location {
  const { pathname, search } = window.location;
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : "";
  return { path: decodeURI(path).replace(/\/$/, ""), query: new URLSearchParams(search) };
}

/** `to` is below /console/ ("violations?status=open") or absolute ("/console/queue"). */
export function href(to: string): string {
  return to.startsWith("/") ? to : `${BASE}${to}`;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = href(to);
  if (url === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}

/** A query string from a map, leaving out empty values (so URLs stay short and shareable). */
export function queryString(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) q.set(name, value);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Left clicks on in-app links navigate without a reload; modified clicks keep the browser's meaning. */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}
