// A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1, for the
// sign-in tests: `node issuer.mjs <config.json>`.
//
// The JSON file (written by tests/oidc_provider.py) holds
//   {"port": 0, "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "users": [{"email", "password", "role", "name"}]}
// and is read again whenever a client or user is looked up, so the tests can add
// users and redirect URIs while it runs. It prints its issuer URL on stdout when ready.
//
// The directory is a confidential client (client_secret_basic) that must use PKCE
// (S256); people sign in on this provider's own login page (input[name="login"],
// input[name="password"], button[type="submit"]) and are never asked for consent:
// the grant for a registered client is made at once (loadExistingGrant). The ID
// token carries email, email_verified (true) and the role claim memberdir_role.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node issuer.mjs <config.json>');
  process.exit(2);
}
const config = () => JSON.parse(readFileSync(configPath, 'utf8'));
const userByEmail = (email) => config().users.find((u) => u.email.toLowerCase() === String(email).toLowerCase());
const SCOPES = 'openid email profile';

// Clients come from the file on each lookup (oidc-provider caches them by content).
class Adapter extends MemoryAdapter {
  async find(id) {
    if (this.model !== 'Client') return super.find(id);
    const client = config().clients.find((c) => c.client_id === id);
    return client && {
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }
}

const server = createServer();
await new Promise((resolve) => server.listen(config().port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `test-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  adapter: Adapter,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub', 'memberdir_role'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile'],
  conformIdTokenClaims: false, // the scopes' claims in the ID token: the directory reads no userinfo
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = userByEmail(sub);
    return user && {
      accountId: sub,
      async claims() {
        return { sub, email: user.email, email_verified: true, memberdir_role: user.role, name: user.name ?? user.email };
      },
    };
  },
  // No consent screen: a registered client is granted the directory's scopes at once.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const loginPage = (uid, message = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to the test provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sign in</h1>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">E-mail</label> <input id="login" name="login" type="email" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></main></body></html>`;

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The login page: GET shows it, POST checks the password and resumes the authorisation.
provider.use(async (ctx, next) => {
  const found = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!found) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !found[2]) {
    ctx.type = 'html';
    ctx.body = loginPage(details.uid);
    return undefined;
  }
  if (ctx.method !== 'POST' || !found[2]) return next();
  const form = await formBody(ctx.req);
  const user = userByEmail(form.get('login') ?? '');
  if (!user || user.password !== form.get('password')) {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = loginPage(details.uid, 'Unknown e-mail or wrong password.');
    return undefined;
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.email } }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(issuer);
