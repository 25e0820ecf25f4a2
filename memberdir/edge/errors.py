"""Refusals sent before GraphQL runs, in the GraphQL response shape clients parse."""

from starlette.responses import JSONResponse


def refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)
