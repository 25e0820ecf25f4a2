"""OpenID Connect bearer tokens: verified with PyJWT against the issuer's JWKS.

Checked: the signature with a key from the configured JWKS (by `kid`), one of
the allowed public-key algorithms, issuer, audience, expiry and not-before
(with a little leeway for clock skew), and that `exp`, `iss`, `aud` and `sub`
are present.
"""

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import jwt


class TokenRejected(Exception):
    """The token is not valid here; the message is a short reason for the client."""


class KeysUnavailable(Exception):
    """The issuer's JWKS could not be fetched: our problem, not the client's."""


class JwksCache:
    """The issuer's public keys by `kid`, fetched off the event loop.

    An unknown `kid` triggers a refetch (keys rotate), but at most once per
    `min_refresh_seconds`, so a flood of made-up kids cannot make us hammer
    the issuer.
    """

    def __init__(self, url: str, max_age_seconds: float = 300, min_refresh_seconds: float = 30):
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=5)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._max_age, self._min_refresh = max_age_seconds, min_refresh_seconds
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        age = time.monotonic() - self._fetched_at
        if age > self._max_age or (kid not in self._keys and age > self._min_refresh):
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at <= self._min_refresh and self._keys:
                return  # another request just did it
            try:
                found = await asyncio.to_thread(self._client.get_jwk_set)
            except jwt.PyJWKClientError as error:
                raise KeysUnavailable(str(error)) from error
            self._keys = {k.key_id: k for k in found.keys if k.key_id}
            self._fetched_at = time.monotonic()


_REASONS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidAudienceError, "token for another audience"),
    (jwt.InvalidIssuerError, "token from another issuer"),
    (jwt.InvalidSignatureError, "bad token signature"),
    (jwt.MissingRequiredClaimError, "token lacks a required claim"),
]


class TokenVerifier:
    def __init__(self, issuer: str, audience: str, jwks: JwksCache, algorithms: Sequence[str], leeway: int = 30):
        self.issuer, self.audience, self.jwks = issuer, audience, jwks
        self.algorithms, self.leeway = list(algorithms), leeway

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("malformed token")
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self.algorithms:
            raise TokenRejected("token algorithm not allowed")
        if not isinstance(kid, str):
            raise TokenRejected("token names no signing key")
        key = await self.jwks.key(kid)
        if key is None:
            raise TokenRejected("unknown signing key")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            reason = next((r for kind, r in _REASONS if isinstance(error, kind)), "invalid token")
            raise TokenRejected(reason) from error
