import type { Catalog, LineRow } from './api';
import type { Lang, Labels } from './i18n';

export interface NameContext {
  catalog?: Catalog;
  lines: Map<string, LineRow>;
  lang: Lang;
  t: Labels;
}

/** The dimension of a groupBy spec: 'functionCode:5' → 'functionCode'. */
export const dimOf = (spec: string): string => spec.split(':')[0] as string;

/** A group's label: the code with its name beside it (codes missing from the catalog show alone). */
export function labelOf(spec: string, value: string | null, ctx: NameContext): string {
  if (value === null) return ctx.t.none;
  const dim = dimOf(spec);
  const named = (name: string | undefined) => (name === undefined || name === '' ? value : `${value} ${name}`);
  switch (dim) {
    case 'functionCode':
      return named(ctx.catalog?.functionCodes[value]);
    case 'economicCode':
      return named(ctx.catalog?.economicCodes[value]);
    case 'kind':
      return ctx.catalog?.kinds[value]?.[ctx.lang] ?? value;
    case 'tag':
      return ctx.catalog?.tags[value]?.[ctx.lang] ?? value;
    case 'line':
      return named(ctx.lines.get(value)?.name ?? undefined);
    default:
      return value;
  }
}
