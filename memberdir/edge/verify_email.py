"""/verify-email?token=…: the page a verification link opens, until the pages issue brings its own.

Opening the link never confirms anything: mail scanners and link previews open
links by themselves, and an address is confirmed by its owner. The page shows
one button, which posts the token back; the POST runs the public verifyEmail
mutation, as any client would, and says how it ended. The token is the only
credential (it was sent to the address), so the page needs no sign-in.
"""

from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from memberdir.edge.pages import COMMON_HEADERS
from resolvers.context import Context

PATH = "/verify-email"
VERIFY = ("mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { "
          "person { id } userErrors { message } } }")
HEADERS = {**COMMON_HEADERS, "Cache-Control": "no-store",
           "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'"}
MOST_BODY = 4096


def _page(body: str, status: int = 200) -> HTMLResponse:
    html = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Confirm your e-mail address</title></head><body><h1>Member Directory</h1>"
            f"{body}</body></html>")
    return HTMLResponse(html, status_code=status, headers=HEADERS)


class VerifyEmailPage:
    def __init__(self, schema, database, settings):
        self.schema, self.database, self.settings = schema, database, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "POST":
            response = await self._confirm(request)
        else:
            token = request.query_params.get("token", "")
            response = _page(
                "<p>Confirm that this address is yours: it becomes your e-mail address in the directory.</p>"
                f"<form method=\"post\" action=\"{PATH}\"><input type=\"hidden\" name=\"token\" "
                f"value=\"{escape(token)}\"><button type=\"submit\">Confirm my address</button></form>")
        await response(scope, receive, send)

    async def _confirm(self, request: Request) -> HTMLResponse:
        body = b""
        async for chunk in request.stream():  # a form with one token: never more than a few bytes kept
            body += chunk
            if len(body) > MOST_BODY:
                return _page("<p>That request is too large.</p>", status=413)
        token = (parse_qs(body.decode("utf-8", "replace")).get("token") or [""])[0]
        context = Context.for_request(self.database(), request)
        context.public_url = self.settings.public_url
        result = await self.schema.execute(VERIFY, variable_values={"input": {"token": token}},
                                           context_value=context)
        answer = (result.data or {}).get("verifyEmail") or {}
        errors = answer.get("userErrors") or ([{"message": "The address could not be confirmed."}]
                                              if result.errors or not answer else [])
        if errors:
            return _page(f"<p>{escape(errors[0]['message'])}</p>", status=400)
        return _page("<p>Thank you: your e-mail address is confirmed.</p>")
