import { useEffect, useState } from 'react';
import { getJson } from './api';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/** Fetches JSON when the path changes; a null path fetches nothing. `version` refetches (after sign-in). */
export function useFetch<T>(path: string | null, version = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: path !== null });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ data: s.data, loading: true }));
    getJson<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: error as Error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return state;
}
