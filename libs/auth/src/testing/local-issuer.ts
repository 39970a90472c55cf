import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';

/**
 * An OpenID Connect issuer for tests: its JWKS served over HTTP by this process, and tokens signed
 * with its key (or, to test refusals, with a key it does not publish).
 */
export class LocalIssuer {
  readonly issuer = 'https://issuer.test';
  readonly audience = 'budget-ledger';
  private constructor(
    private readonly server: http.Server,
    readonly jwksUrl: string,
    private readonly key: KeyLike,
    private readonly strangerKey: KeyLike,
  ) {}

  static async start(): Promise<LocalIssuer> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new LocalIssuer(server, `http://127.0.0.1:${port}/jwks.json`, privateKey, stranger.privateKey);
  }

  /** A token; `options` bend it into the kinds the ledger must refuse. */
  async token(
    claims: JWTPayload,
    options: { expiresIn?: string | number; audience?: string; issuer?: string; signedByStranger?: boolean; noSubject?: boolean } = {},
  ): Promise<string> {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuedAt()
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setExpirationTime(options.expiresIn ?? '5m');
    if (!options.noSubject) jwt = jwt.setSubject(typeof claims.sub === 'string' ? claims.sub : 'alice');
    return jwt.sign(options.signedByStranger ? this.strangerKey : this.key);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
