"""Security headers on every response of the web app (the protocol, the explorer, /changes).

One policy for the whole site, so it sits below every part of it: the app installs it as the
outermost middleware and no page can forget it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: No request may leave the server's origin: scripts, styles, images, forms and fetches all
#: stay on 'self', and no inline script runs (an injected <script> would be blocked too).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'self'; "
       "frame-ancestors 'none'; object-src 'none'")


class SecurityHeaders:
    """ASGI middleware: the Content-Security-Policy and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, val in ((b"content-security-policy", CSP),
                                  (b"x-content-type-options", "nosniff"),
                                  (b"referrer-policy", "same-origin")):
                    if name not in names:
                        headers.append((name, val.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["CSP", "SecurityHeaders"]
