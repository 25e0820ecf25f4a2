"""The response's media type, from the request's `Accept` (GraphQL over HTTP).

`application/graphql-response+json` when the client accepts it at least as
much as anything else we speak (its status codes carry meaning: 400 for a
request that never ran); `application/json` when the client asks for it,
for `*/*` or sends no `Accept` (older clients); otherwise 406. Media types
and parameters are compared case-insensitively; `q=0` means "not this".
"""

from memberdir.edge.errors import Refused

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_WILDCARDS = ("application/*", "*/*")  # most specific first


def response_media_type(accept: str | None) -> str:
    """The media type to answer in; Refused(406) if the client accepts none of ours."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _parse(accept)
    graphql_response, json = _quality(ranges, GRAPHQL_RESPONSE), _quality(ranges, JSON)
    if graphql_response <= 0 and json <= 0:
        raise Refused(406, f"Cannot answer in any media type you accept; ask for {GRAPHQL_RESPONSE} or {JSON}")
    # `*/*` alone means the older application/json; the newer type only when named.
    named = GRAPHQL_RESPONSE in ranges or json <= 0
    return GRAPHQL_RESPONSE if named and graphql_response >= json else JSON


def _quality(ranges: dict[str, float], media_type: str) -> float:
    """The weight of the most specific range matching `media_type` (0 if none does)."""
    for candidate in (media_type, *_WILDCARDS):
        if candidate in ranges:
            return ranges[candidate]
    return 0.0


def _parse(accept: str) -> dict[str, float]:
    ranges: dict[str, float] = {}
    for part in accept.split(",")[:32]:  # a client needs no more; bounds the work
        media_range, *parameters = (p.strip().lower() for p in part.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges[media_range] = max(quality, ranges.get(media_range, 0.0))
    return ranges
