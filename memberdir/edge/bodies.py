"""A request body decoded strictly, its shape checked, and every fault named.

What reaches GraphQL is an operation object (`query`, `variables`,
`operationName`, `extensions`) or a list of them. Anything else is a 400 with
a message saying what was wrong: not UTF-8, not JSON, nested too deeply, a
number with too many digits (Python refuses to build integers of over 4,300
digits), the wrong JSON type, a batch of something other than objects.
"""

import json
from typing import Any

from memberdir.edge.errors import Refused

MAX_NESTING = 64  # GraphQL variables nest a few levels; nobody needs 64
MAX_INTEGER_DIGITS = 40  # GraphQL's Int is 32-bit; 40 digits leaves room for IDs sent as numbers
OPERATION_FIELDS = {"query": str, "documentId": str, "operationName": str, "variables": dict, "extensions": dict}
_JSON_TYPES = {str: "a string", dict: "an object"}


class BadBody(Refused):
    def __init__(self, message: str):
        super().__init__(400, message, "BAD_REQUEST_BODY")


def decode_json(raw: str | bytes) -> Any:
    """JSON from a body or a query parameter; BadBody if it is not strict, bounded JSON."""
    what = "The body" if isinstance(raw, bytes) else "A query parameter"
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadBody(f"The body is not valid UTF-8 (at byte {error.start})") from None
    if not raw.strip():
        raise BadBody(f"{what} is empty; send a JSON object")
    try:
        value = json.loads(raw, parse_int=_integer, parse_constant=_no_constant)
    except RecursionError:
        raise BadBody(f"The JSON is nested more than {MAX_NESTING} levels deep") from None
    except json.JSONDecodeError as error:
        raise BadBody(f"{what} is not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    _check_nesting(value)
    return value


def operations(value: Any) -> dict[str, Any] | list[dict[str, Any]]:
    """The operation or batch of operations a decoded body holds."""
    if isinstance(value, list):
        if not value:
            raise BadBody("A batch must hold at least one operation")
        for index, item in enumerate(value):
            _check_operation(item, f"Operation [{index}] of the batch")
        return value
    _check_operation(value, "The body")
    return value


def _check_operation(value: Any, what: str) -> None:
    if not isinstance(value, dict):
        raise BadBody(f"{what} must be a JSON object with a `query`, not {_json_type(value)}")
    for name, kind in OPERATION_FIELDS.items():
        given = value.get(name)
        if given is not None and not isinstance(given, kind):
            raise BadBody(f"{what}: `{name}` must be {_JSON_TYPES[kind]} or null, not {_json_type(given)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return _JSON_TYPES.get(type(value), "a value")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadBody(f"A number in the body has {len(digits)} digits; at most {MAX_INTEGER_DIGITS} are accepted")
    return int(digits)


def _no_constant(name: str) -> None:
    raise BadBody(f"{name} is not JSON")


def _check_nesting(value: Any) -> None:
    """Iterative, so a deep value cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_NESTING:
                raise BadBody(f"The JSON is nested more than {MAX_NESTING} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
