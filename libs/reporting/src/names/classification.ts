import { ECONOMIC_NAMES, FUNCTION_NAMES, KIND_NAMES, TAG_NAMES } from './classification.data';

export interface ClassificationCatalog {
  readonly functionCodes: Readonly<Record<string, string>>;
  readonly economicCodes: Readonly<Record<string, string>>;
  readonly kinds: Readonly<Record<string, { zh: string; en: string }>>;
  readonly tags: Readonly<Record<string, { zh: string; en: string }>>;
}

/** The whole catalog (a few hundred names): the console loads it once and names codes itself. */
export function classificationCatalog(): ClassificationCatalog {
  return { functionCodes: FUNCTION_NAMES, economicCodes: ECONOMIC_NAMES, kinds: KIND_NAMES, tags: TAG_NAMES };
}

/**
 * The name of a 功能分类 or 经济分类 code, or undefined when the catalog lacks it (the caller
 * shows the code).
 */
export function classificationName(dimension: 'functionCode' | 'economicCode', code: string): string | undefined {
  const names = dimension === 'functionCode' ? FUNCTION_NAMES : ECONOMIC_NAMES;
  return names[code];
}
