"""The Dashboard App view inside a (simulated) Chatwoot page: appContext in, take over from the iframe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest

from tests.bot.harness import free_port
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in, state_of

pytestmark = pytest.mark.anyio


def chatwoot_page(console_url: str, conversation_id: int) -> str:
    # What Chatwoot's dashboard does for a Dashboard App: answer the app's fetch-info request with appContext.
    return f"""<!doctype html><html><body><h1>Chatwoot</h1>
<iframe id="app" src="{console_url}/embed" width="400" height="300"></iframe>
<script>
window.addEventListener("message", function (event) {{
  if (event.data !== "chatwoot-dashboard-app:fetch-info") return;
  var context = {{event: "appContext", data: {{conversation: {{id: {conversation_id}}}, contact: {{}},
                 currentAgent: {{id: 1}}}}}};
  event.source.postMessage(JSON.stringify(context), "{console_url}");
}});
</script></body></html>"""


@contextmanager
def chatwoot_dashboard(console_url: str, conversation_id: int) -> Iterator[str]:
    """A page standing for Chatwoot's dashboard, on an origin of its own; yields that origin."""
    body = chatwoot_page(console_url, conversation_id).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def test_the_embed_view_takes_the_conversation_from_app_context_and_takes_it_over(sandbox: Sandbox) -> None:
    console_port = free_port()
    console_url = f"http://127.0.0.1:{console_port}"
    with (
        chatwoot_dashboard(console_url, 2) as origin,
        running_console(sandbox, CONSOLE_CHATWOOT_ORIGIN=origin, port=console_port) as console,
    ):
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            await page.goto(f"{origin}/app/accounts/1/conversations/2")
            frame = page.frame_locator("#app")
            await frame.locator("#embed-conv[data-owner='bot']").wait_for()
            assert "#2" in await frame.locator("#embed-conv").inner_text()
            await frame.locator("#take-over").click()
            await frame.locator("#embed-conv[data-owner='human']").wait_for()
            async with httpx2.AsyncClient(timeout=10) as http:
                state = await state_of(http, sandbox, 2)
            assert state["status"] == "open" and state["assignee_id"] == sandbox.agent("administrator")["id"]


async def test_only_the_configured_chatwoot_origin_may_frame_the_console(sandbox: Sandbox) -> None:
    console_port = free_port()
    with (
        chatwoot_dashboard(f"http://127.0.0.1:{console_port}", 2) as elsewhere,
        running_console(sandbox, port=console_port) as console,
    ):
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            await page.goto(f"{elsewhere}/app")  # not the configured Chatwoot origin
            frame = page.frame_locator("#app")
            await page.wait_for_load_state("load")
            response = await page.request.get(f"{console.url}/embed")
            policy = response.headers["content-security-policy"]
            assert f"frame-ancestors {sandbox.base_url}" in policy and "script-src 'self'" in policy
            assert "'unsafe-inline'" not in policy
            listing = await page.request.get(f"{console.url}/")
            assert "frame-ancestors 'none'" in listing.headers["content-security-policy"]
            assert await frame.locator("#embed").count() == 0  # the browser refused to render it in the frame
