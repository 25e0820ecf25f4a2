"""Request ids: the caller's `X-Request-ID` when it is a safe short token, else a new one.

A proxy or client that already tagged the request keeps its id, so one id
follows the request through every log; anything else (too long, spaces,
quotes, control characters) is not echoed into our logs or headers.
"""

import re
import secrets

from starlette.datastructures import Headers

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id_from(headers: Headers) -> str:
    given = headers.get(HEADER, "")
    return given if _SAFE.fullmatch(given) else new_request_id()
