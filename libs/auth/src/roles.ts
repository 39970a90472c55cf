/** The roles of DESIGN.md §8. */
export const ROLES = ['writer', 'analyst', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Whether an identity holding `held` may do what a route declares for `required`. Not a ladder:
 * a writer may post events and nothing else, an auditor may do all an analyst may, an admin all.
 */
export function roleAllows(held: Role, required: Role): boolean {
  if (held === 'admin' || held === required) return true;
  return held === 'auditor' && required === 'analyst';
}

/** Who is asking: the source of the identity, its subject, its roles and the departments it may see. */
export interface Identity {
  /** As stored with events and in the access log: `key:<keyId>`, `oidc:<sub>`, `anonymous` (checks off). */
  readonly subject: string;
  readonly source: 'key' | 'session' | 'token' | 'off';
  readonly roles: readonly Role[];
  /** Null: every department. */
  readonly departments: readonly string[] | null;
  /** The API key behind it (keys and sessions). */
  readonly keyId?: string;
}

export function identityAllows(identity: Identity, required: Role): boolean {
  return identity.roles.some((role) => roleAllows(role, required));
}

export function identitySeesDepartment(identity: Identity, department: string): boolean {
  return identity.departments === null || identity.departments.includes(department);
}
