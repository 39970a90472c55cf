import { useEffect, useState } from 'react';
import { getJson } from './api';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/**
 * Fetches JSON when the path changes; a null path fetches nothing (yet). `version` refetches (after
 * sign-in). Data answers only the path it was fetched for: once asOf or knownAt change, the old
 * figures are gone until the new ones arrive, never shown as if they were the new.
 */
export function useFetch<T>(path: string | null, version = 0): Loaded<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error }>({ path: null });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    getJson<T>(path).then(
      (data) => live && setState({ path, data }),
      (error: unknown) => live && setState({ path, error: error as Error }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  const current = path !== null && state.path === path;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: !current };
}

/** True once every one of them has its answer (or its error): the next requests may go. */
export const settled = (...loaded: Loaded<unknown>[]): boolean => loaded.every((l) => !l.loading);

/** False until `condition` is first true, then true for good (a page's later stages, once opened, stay open). */
export function useOnceTrue(condition: boolean): boolean {
  const [once, setOnce] = useState(condition);
  useEffect(() => {
    if (condition && !once) setOnce(true);
  }, [condition, once]);
  return once || condition;
}
