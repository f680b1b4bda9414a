"""The simulator's admin routes under ``/_sim/``, for tests and the demo.

The register as CSV, the truth (:meth:`World.truth` and :meth:`World.truth_items`), the
credentials, the fault spec (read and replace) and the request statistics; the routes are
listed in :mod:`jb_watchdesk.simulator.server`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING

from jb_watchdesk.simulator.routes import Request, Response, json_response, text_response
from jb_watchdesk.simulator.world import POST_HORIZON_DAYS, World

if TYPE_CHECKING:
    from jb_watchdesk.simulator.server import SimulatorServer


def admin_route(path: str) -> str:
    """The statistics name of an admin request for ``path`` (``admin.truth``, ``admin.index``)."""
    path = path.rstrip("/") or "/"
    route = "admin." + (path.removeprefix("/_sim/").replace("/", ".") or "index")
    return route if path != "/" else "admin.index"


async def admin_response(server: SimulatorServer, request: Request) -> Response:
    """The answer to an admin request (``/`` or under ``/_sim/``)."""
    path = request.path.rstrip("/") or "/"
    if request.method == "GET" and path == "/":
        return text_response(200, text=f"jb-watchdesk simulator: {len(server.world.accounts)} accounts, seed {server.world.seed}\n")
    if request.method == "GET" and path == "/_sim/register.csv":
        return register_csv(server.world, base_url=server.base_url)
    if request.method == "GET" and path == "/_sim/truth":
        return await truth_response(server.world, request)
    if request.method == "GET" and path == "/_sim/credentials":
        rows = [
            {"key": a.key, "name": a.name, "platform": a.platform, "secrets": server.world.credentials(a.key)}
            for a in server.world.accounts
        ]
        return json_response(rows)
    if path == "/_sim/faults" and request.method in ("GET", "POST"):
        if request.method == "POST":
            try:
                server.set_faults(_spec_from_body(request.body))
            except ValueError as problem:
                return json_response({"error": str(problem)}, status=400)
        return json_response({"spec": server.faults.spec, "entries": server.faults.stats()})
    if request.method == "POST" and path == "/_sim/inject":
        return inject_response(server.world, request.body)
    if request.method == "GET" and path == "/_sim/stats":
        return json_response(server.stats())
    if request.method == "POST" and path == "/_sim/stats/reset":
        server.reset_stats()
        return json_response(server.stats())
    return text_response(404, text="Not Found")


def inject_response(world: World, body: bytes) -> Response:
    """``POST /_sim/inject`` ``{"account": "weibo-0003", "sensitive": ["id_number"]}``: a post published
    now on that account, carrying those sensitive kinds; or ``{"account", "title", "body"}``: a post
    with exactly those words (and the body as its first comment). Answers the post's id and time."""
    try:
        request = json.loads(body or b"{}")
        if not isinstance(request, dict):
            raise ValueError("the body must be a JSON object")
        words = None
        if "title" in request or "body" in request:
            title, text = request.get("title", ""), request.get("body", "")
            if not isinstance(title, str) or not isinstance(text, str):
                raise ValueError("title and body must be strings")
            words = (title, text)
        kinds = request.get("sensitive", [] if words else ["id_number"])
        if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
            raise ValueError("sensitive must be a list of kinds")
        post = world.inject(str(request.get("account", "")), sensitive=kinds, words=words)
    except KeyError:
        return json_response({"error": "unknown account"}, status=404)
    except ValueError as problem:
        return json_response({"error": str(problem)}, status=400)
    return json_response({"account": world.accounts[post.account].key, "post_id": post.post_id, "published": post.published})


def register_csv(world: World, *, base_url: str) -> Response:
    """The account register as a CSV download (UTF-8 with BOM), sources pointing at ``base_url``."""
    buffer = io.StringIO()
    columns = ("name", "platform", "unit", "status", "source", "api_base", "owner", "note")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(world.register_rows(base_url))
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return Response(
        status=200,
        body=body,
        content_type="text/csv; charset=utf-8",
        headers=[("Content-Disposition", 'attachment; filename="register.csv"')],
        kind="text",
    )


async def truth_response(world: World, request: Request) -> Response:
    """``/_sim/truth``: the truth rows, or with ``items=1`` the ids to store, as of ``now``."""
    now: datetime | None = None
    raw_now = request.query.get("now")
    if raw_now:
        try:
            now = datetime.fromisoformat(raw_now)
        except ValueError:
            return json_response({"error": "now must be an ISO 8601 instant with a zone"}, status=400)
        if now.tzinfo is None:
            return json_response({"error": "now must be an ISO 8601 instant with a zone"}, status=400)
    window_text = request.query.get("window", "30")
    if not window_text.isdigit() or not 1 <= int(window_text) <= 365:
        return json_response({"error": "window must be a number of days from 1 to 365"}, status=400)
    if request.query.get("items", "") in {"1", "true"}:
        horizon_text = request.query.get("horizon", str(POST_HORIZON_DAYS))
        if not horizon_text.isdigit() or not 1 <= int(horizon_text) <= 365:
            return json_response({"error": "horizon must be a number of days from 1 to 365"}, status=400)
        items = await asyncio.to_thread(
            world.truth_items,
            now,
            post_horizon_days=int(horizon_text),
            comment_window_days=int(window_text),
        )
        return json_response(items)
    # A thousand accounts take about a second; the event loop keeps serving meanwhile.
    rows = await asyncio.to_thread(world.truth, now, comment_window_days=int(window_text))
    return json_response(rows)


def _spec_from_body(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("the body must be JSON like {\"spec\": \"5xx%5\"}") from None
        spec = data.get("spec", "") if isinstance(data, dict) else None
        if not isinstance(spec, str):
            raise ValueError("spec must be a string")
        return spec
    return text
