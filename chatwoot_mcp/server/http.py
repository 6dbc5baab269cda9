"""The streamable HTTP app: MCP at /mcp behind a bearer token, GET /health open, DNS-rebinding protection."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging

from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from chatwoot_mcp.config import ConfigError, Settings

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
_WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BearerAuth:
    """Pure ASGI middleware: every HTTP request except the health check needs `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        supplied = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                supplied = value
                break
        if hmac.compare_digest(supplied, self._expected):
            await self.app(scope, receive, send)
            return
        reason = "missing bearer token" if not supplied else "invalid bearer token"
        body = json.dumps({"error": f"{reason}; send Authorization: Bearer <CHATWOOT_MCP_TOKEN>"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="chatwoot-mcp"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _host_patterns(name: str) -> list[str]:
    """A name as the SDK matches Host headers: with any port, and bare (a client on port 80/443 sends no port)."""
    if name.startswith("[") or name.count(":") > 1:  # IPv6
        bare = name if name.startswith("[") else f"[{name}]"
        return [bare] if "]:" in bare else [bare, f"{bare}:*"]
    return [name] if ":" in name else [name, f"{name}:*"]


def transport_security(host: str, extra_hosts: frozenset[str] | None = None) -> TransportSecuritySettings:
    """Allow loopback names, the bound host and CHATWOOT_MCP_ALLOWED_HOSTS; a wildcard bind with no allowed
    hosts cannot know its public name, so Host checks are off there and the bearer token is the protection."""
    wildcard = host in _WILDCARD_HOSTS
    if wildcard and not extra_hosts:
        logger.warning(
            "listening on %s without CHATWOOT_MCP_ALLOWED_HOSTS: Host-header checks are off; the bearer token is "
            "the protection",
            host or "*",
        )
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    names = ["127.0.0.1", "localhost", "[::1]", *sorted(extra_hosts or ())]
    if not wildcard:
        names.append(host)
    hosts = [pattern for name in names for pattern in _host_patterns(name)]
    origins = [f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(set(hosts)), allowed_origins=sorted(set(origins))
    )


def http_app(server: MCPServer, settings: Settings, *, host: str = "127.0.0.1") -> ASGIApp:
    """The ASGI app to serve; refuses (ConfigError) a non-loopback host without settings.mcp_token."""
    token = settings.mcp_token.get_secret_value() if settings.mcp_token else ""
    if not token and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve MCP over HTTP on {host} without a bearer token: set CHATWOOT_MCP_TOKEN "
            "(clients send it as Authorization: Bearer <token>), or listen on 127.0.0.1"
        )

    @server.custom_route(HEALTH_PATH, methods=["GET"])
    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    security = transport_security(host, settings.mcp_allowed_hosts)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=security, host=host)
    if not token:
        logger.warning("CHATWOOT_MCP_TOKEN is not set: the HTTP transport on %s accepts any local client", host)
        return app
    return BearerAuth(app, token)
