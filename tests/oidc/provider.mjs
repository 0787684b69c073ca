// A real OpenID Connect provider for the tests (panva's oidc-provider, certified), started on
// loopback by tests/oidc/provider.py:  node tests/oidc/provider.mjs <config.json>
//
// The config (written by the tests) gives the port, the signing key (the tests make their
// own; none is kept in the repository), the one client (the app) and the accounts with their
// names, e-mail addresses and groups. Its sign-in page is the provider's development page
// (any password): the tests are about the app's side, the relying party.
//
// "misbehave" names accounts whose ID token the provider alters after issuing it, the way a
// wrong or hostile provider would: another audience, expired, another signing key, another
// nonce or issuer. The app must refuse each.
import crypto from 'node:crypto';
import fs from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const signingKey = config.jwk;

function findAccount(ctx, id) {
  const account = config.accounts[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        name: account.name,
        email: account.email,
        email_verified: true,
        [config.groups_claim || 'groups']: account.groups,
      };
    },
  };
}

// The app is a first-party client: no consent page, every scope it asks for is granted.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId
    || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) {
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    if (grant) return grant;
  }
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope('openid email profile groups');
  grant.addOIDCClaims(['name', 'email', 'email_verified', config.groups_claim || 'groups']);
  await grant.save();
  return grant;
}

const provider = new Provider(issuer, {
  clients: [config.client],
  jwks: { keys: [signingKey] },
  findAccount,
  loadExistingGrant,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: [config.groups_claim || 'groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // Like Entra ID: the names, the address and the groups in the ID token itself.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
});

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function sign(header, payload, jwk) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const signature = crypto.sign('RSA-SHA256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

function misbehave(idToken, how) {
  const [header, payload] = idToken.split('.').slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  const now = Math.floor(Date.now() / 1000);
  switch (how) {
    case 'audience': payload.aud = 'another-app'; break;
    case 'expired': payload.iat = now - 7200; payload.exp = now - 3600; break;
    case 'nonce': payload.nonce = 'not-the-one-the-app-sent'; break;
    case 'issuer': payload.iss = 'https://login.example.invalid'; break;
    case 'signature': return sign(header, payload, otherKey);
    default: throw new Error(`unknown misbehaviour ${how}`);
  }
  return sign(header, payload, signingKey);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    const sub = JSON.parse(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url').toString()).sub;
    const how = (config.misbehave || {})[sub];
    if (how) ctx.body = { ...ctx.body, id_token: misbehave(ctx.body.id_token, how) };
  }
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
