import { roleAllows, ROLES, type Role } from './roles';

describe('roles (DESIGN.md §8)', () => {
  const table: Record<Role, Role[]> = {
    writer: ['writer'],
    analyst: ['analyst'],
    auditor: ['analyst', 'auditor'],
    admin: ['writer', 'analyst', 'auditor', 'admin'],
  };
  it.each(ROLES)('%s may do exactly what the table says', (held) => {
    expect(ROLES.filter((required) => roleAllows(held, required))).toEqual(table[held]);
  });
});
