// Signing in with the configured OpenID Connect issuer: authorisation code
// with PKCE (oauth4webapi), in a popup so this page, and the token in its
// memory, stay put. Nothing goes to browser storage: the verifier, state and
// nonce live in this closure; the token is returned to the caller.
import * as oauth from 'oauth4webapi';

export const SIGN_IN_CHANNEL = 'memberdir-sign-in';
const REDIRECT_PATH = '/dashboard/signed-in';

/** A local issuer on loopback (a developer's, the tests') may speak plain HTTP; any other must use HTTPS. */
function requestOptions(issuerUrl) {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname);
  return loopback && issuerUrl.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
}

/** Waits for the signed-in page to post the URL the issuer sent it to. */
function callbackFrom(popup) {
  return new Promise((resolve, reject) => {
    const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
    const watch = setInterval(() => {
      if (popup.closed) finish(() => reject(new Error('The sign-in window was closed before signing in.')));
    }, 500);
    function finish(settle) {
      clearInterval(watch);
      channel.close();
      settle();
    }
    channel.onmessage = (event) => finish(() => resolve(new URL(event.data.callbackUrl)));
  });
}

/**
 * Signs in; resolves to { token, expiresAt } (expiresAt in ms, or null).
 * Call it from a click: the popup must open before any await.
 */
export async function signIn({ issuer, clientId, scopes }) {
  const popup = window.open('about:blank', 'memberdir-sign-in', 'popup,width=520,height=700');
  if (!popup) throw new Error('The browser blocked the sign-in window; allow pop-ups for this page.');
  try {
    const issuerUrl = new URL(issuer);
    const options = requestOptions(issuerUrl);
    const server = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, options));
    const client = { client_id: clientId };
    const redirectUri = new URL(REDIRECT_PATH, window.location.origin).href;
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();

    const authorise = new URL(server.authorization_endpoint);
    for (const [name, value] of Object.entries({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: scopes,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    })) {
      authorise.searchParams.set(name, value);
    }
    popup.location.href = authorise.href;

    const callback = await callbackFrom(popup);
    const parameters = oauth.validateAuthResponse(server, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      server, client, oauth.None(), parameters, redirectUri, codeVerifier, options,
    );
    const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: nonce });
    return {
      token: result.access_token,
      expiresAt: result.expires_in ? Date.now() + result.expires_in * 1000 : null,
    };
  } finally {
    if (!popup.closed) popup.close();
  }
}
