import { OidcVerifier } from './oidc';
import { LocalIssuer } from './testing/local-issuer';

describe('OidcVerifier (against a JWKS served by the test)', () => {
  let issuer: LocalIssuer;
  let verifier: OidcVerifier;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    verifier = new OidcVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      rolesClaim: 'roles',
      departmentsClaim: 'departments',
    });
  });
  afterAll(() => issuer.stop());

  it('takes a good token: subject, roles and departments from its claims', async () => {
    const result = await verifier.verify(
      await issuer.token({ sub: 'alice', roles: ['analyst', 'unknown-role'], departments: ['市贸促委'] }),
    );
    expect(result).toEqual({
      ok: true,
      identity: { subject: 'oidc:alice', source: 'token', roles: ['analyst'], departments: ['市贸促委'] },
    });
  });

  it('takes a single role as a string, and no departments claim as every department', async () => {
    const result = await verifier.verify(await issuer.token({ roles: 'auditor' }));
    expect(result).toMatchObject({ ok: true, identity: { roles: ['auditor'], departments: null } });
  });

  it('reads a role claim at a dotted path (Keycloak realm_access.roles)', async () => {
    const nested = new OidcVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      rolesClaim: 'realm_access.roles',
      departmentsClaim: 'departments',
    });
    const result = await nested.verify(await issuer.token({ realm_access: { roles: ['writer'] } }));
    expect(result).toMatchObject({ ok: true, identity: { roles: ['writer'] } });
  });

  it.each([
    ['expired', () => issuer.token({ roles: ['admin'] }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /exp/],
    ['signed by a key the issuer does not publish', () => issuer.token({ roles: ['admin'] }, { signedByStranger: true }), /signature/],
    ['for another audience', () => issuer.token({ roles: ['admin'] }, { audience: 'someone-else' }), /aud/],
    ['from another issuer', () => issuer.token({ roles: ['admin'] }, { issuer: 'https://evil.test' }), /iss/],
    ['without the roles claim', () => issuer.token({ departments: ['x'] }), /no 'roles' claim/],
    ['without a subject', () => issuer.token({ roles: ['admin'] }, { noSubject: true }), /sub/],
    ['with departments that are not a list', () => issuer.token({ roles: ['admin'], departments: 'x' }), /departments/],
    ['that is not a JWT at all', async () => 'not-a-token', /token refused/],
  ])('refuses a token %s', async (_name, make, reason) => {
    const result = await verifier.verify(await make());
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toMatch(reason);
  });
});
