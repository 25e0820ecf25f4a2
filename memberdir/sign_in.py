"""The pages' sign-in: the server as an OpenID Connect relying party (a
backend-for-frontend, as the IETF's "OAuth 2.0 for Browser-Based Applications"
recommends), with Authlib.

The authorisation-code flow with PKCE (S256), state and nonce, against the
issuer's discovery document; the code is redeemed here with the client secret,
and the ID token checked: its signature with a key of the issuer's JWKS (one of
MEMBERDIR_OIDC_ALGORITHMS, public-key only), issuer, audience (this client),
nonce, expiry, and at_hash/azp when present. No token ever reaches the browser,
and none is kept: the directory calls nothing on the person's behalf, so once
the person is known, the tokens have served.
"""

import warnings
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from authlib.oidc.core import CodeIDToken

with warnings.catch_warnings():
    # Authlib 1.9 would rather have the httpx2 fork; it works with httpx, which the rest of the project uses.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from memberdir.settings import Settings


class SignInFailed(Exception):
    """The sign-in cannot finish; the message says why, for the person."""


class IssuerUnavailable(Exception):
    """The issuer could not be reached or answered nonsense: our problem, not the person's."""


class RelyingParty:
    def __init__(self, settings: Settings):
        assert settings.sign_in_enabled and settings.oidc_client_secret is not None
        self.issuer, self.client_id = settings.oidc_issuer, settings.oidc_client_id
        self.redirect_url = settings.oidc_redirect_url
        self.algorithms, self.leeway = list(settings.oidc_algorithms), settings.oidc_leeway_seconds
        self.client = OAuth().register(
            "issuer",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=f"{self.issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
        )

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata = await self.client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as error:
            raise IssuerUnavailable(f"the issuer's discovery document: {error}") from error
        if metadata.get("issuer") != self.issuer:  # OpenID Connect Discovery 1.0, section 4.3
            raise IssuerUnavailable("the discovery document names another issuer")
        return metadata

    async def begin(self) -> dict[str, str]:
        """Where to send the browser, and what to keep for the callback: url, state, nonce, code_verifier."""
        await self._metadata()
        try:
            found = await self.client.create_authorization_url(redirect_uri=self.redirect_url)
        except (httpx.HTTPError, RuntimeError) as error:
            raise IssuerUnavailable(str(error)) from error
        return {k: found[k] for k in ("url", "state", "nonce", "code_verifier")}

    async def finish(self, code: str, nonce: str, code_verifier: str) -> dict[str, Any]:
        """The ID token's claims, once the code is redeemed and the token checked."""
        await self._metadata()
        try:
            token = await self.client.fetch_access_token(
                redirect_uri=self.redirect_url, code=code, code_verifier=code_verifier)
        except OAuthError as error:  # the token endpoint refused: a bad, used or tampered code or verifier
            raise SignInFailed(f"the issuer refused the sign-in ({error.error})") from error
        except (httpx.HTTPError, ValueError) as error:
            raise IssuerUnavailable(f"the issuer's token endpoint: {error}") from error
        if not isinstance(token.get("id_token"), str):
            raise SignInFailed("the issuer sent no ID token")
        return await self._claims(token, nonce)

    async def _claims(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        registry = JWSRegistry(algorithms=self.algorithms)
        try:
            try:
                decoded = jwt.decode(token["id_token"], KeySet.import_key_set(await self.client.fetch_jwk_set()),
                                     registry=registry)
            except JoseError:  # perhaps a key the issuer rotated in since: fetch the set once more
                decoded = jwt.decode(token["id_token"],
                                     KeySet.import_key_set(await self.client.fetch_jwk_set(force=True)),
                                     registry=registry)
            claims = CodeIDToken(
                decoded.claims, decoded.header,
                {"iss": {"essential": True, "value": self.issuer}, "aud": {"essential": True, "value": self.client_id}},
                {"nonce": nonce, "client_id": self.client_id, "access_token": token.get("access_token")},
            )
            claims.validate(leeway=self.leeway)
        except JoseError as error:
            raise SignInFailed(f"the ID token did not check out ({error.error})") from error
        except (httpx.HTTPError, ValueError) as error:
            raise IssuerUnavailable(f"the issuer's keys: {error}") from error
        return dict(claims)
