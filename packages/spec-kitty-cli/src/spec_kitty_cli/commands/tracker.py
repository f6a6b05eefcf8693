"""`spec-kitty tracker bind|status`: bind this project to an issue tracker through the SaaS.

Flow of `bind --provider P`:

1. ``project_identity = {uuid, slug, node_id, repo_slug, build_id}`` of this checkout passes the
   gate (surface ``tracker_bind``); a missing repo_slug (no `origin` remote) is refused.
2. With ``--bind-ref REF``: ``POST /api/v1/tracker/bind-validate/`` {provider, binding_ref,
   project_identity} -> {valid, binding_ref, display_label?, provider_context?, reason?}.
   Otherwise ``POST /api/v1/tracker/bind-resolve/`` {provider, project_identity} ->
   {match_type: exact|candidates|none, candidate_token?, candidates: [{candidate_token,
   display_label, confidence, match_reason, sort_position}]}; ``exact`` confirms at once,
   ``candidates`` needs ``--select N`` (1-based), ``none`` is an error.
3. ``POST /api/v1/tracker/bind-confirm/`` {provider, candidate_token, project_identity} with an
   ``Idempotency-Key`` header (one key for all retries of this bind) -> {binding_ref,
   display_label, provider, provider_context, bound_at}.
4. The binding is stored in `.kittify/config.yaml` under ``tracker``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import click

from .._lazy import SpecKittyGroup
from .._output import json_option, success
from ..errors import CliError

PROVIDERS = ("github", "gitlab", "jira", "linear")
API = "/api/v1/tracker/"


@click.group("tracker", cls=SpecKittyGroup)
def tracker() -> None:
    """Bind the project to an issue tracker (through the SaaS)."""


def project_identity(root: Any) -> dict[str, Any]:
    """The gated ``project_identity`` dict of this checkout."""
    from spec_kitty_gate import check
    from spec_kitty_identity import load_project_identity

    ident = load_project_identity(root)
    if not ident.repo_slug:
        raise CliError(
            "TRACKER_REPO_SLUG_UNKNOWN",
            "cannot tell this project's repo_slug: add an `origin` git remote or set "
            "`project.repo_slug: owner/name` in .kittify/config.yaml",
            details={"checkout": str(root)},
        )
    doc = {
        "uuid": ident.project_uuid,
        "slug": ident.project_slug,
        "node_id": ident.node_id,
        "repo_slug": ident.repo_slug,
        "build_id": ident.build_id,
    }
    check("tracker_bind", doc)
    return doc


class _Api:
    """POSTs JSON to the tracker endpoints with bounded retries on transient failures."""

    def __init__(self, server_url: str, token: str) -> None:
        from spec_kitty_bodysync.delivery import DeliverySettings, HttpClient

        from .._version import __version__

        self.base = server_url.rstrip("/") + API
        self.settings = DeliverySettings.from_env()
        self.backoff = self.settings.backoff()
        self.client = HttpClient(
            server_url, token, self.settings, user_agent=f"spec-kitty/{__version__}"
        )

    def close(self) -> None:
        self.client.close()

    def post(self, name: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Any:
        import json

        from spec_kitty_bodysync.delivery import TRANSIENT_STATUS
        from spec_kitty_bodysync.errors import ServerUnreachableError

        path = API + name + "/"
        url = self.base + name + "/"
        headers = {"Content-Type": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = json.dumps(body).encode()
        deadline = time.monotonic() + self.settings.deadline
        for attempt in range(1, self.settings.max_attempts + 1):
            retry_after = None
            try:
                reply = self.client.post(path, content, headers=headers, deadline=deadline)
            except ServerUnreachableError as exc:
                error = exc.message
            else:
                if reply.status < 300:
                    return self._json(reply, url)
                if reply.status not in TRANSIENT_STATUS:
                    raise self._http_error(reply, url)
                error = f"HTTP {reply.status}"
                retry_after = reply.retry_after
            delay = self.backoff.wait(attempt - 1, retry_after)
            if attempt == self.settings.max_attempts or time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
        raise CliError(
            "TRACKER_SERVER_UNAVAILABLE",
            f"tracker {name} failed after {attempt} attempt(s): {error}",
            details={"url": url, "error": error, "attempts": attempt},
            operator_fixable=False,
        )

    @staticmethod
    def _json(reply: Any, url: str) -> dict[str, Any]:
        data = reply.json()
        if not isinstance(data, dict):
            raise CliError(
                "TRACKER_BAD_RESPONSE",
                f"{url} did not answer with a JSON object",
                details={"url": url, "status": reply.status},
                operator_fixable=False,
            )
        return data

    @staticmethod
    def _http_error(reply: Any, url: str) -> CliError:
        data = reply.json()
        data = data if isinstance(data, dict) else {}
        status = reply.status
        code = "TRACKER_AUTH_FAILED" if status in (401, 403) else "TRACKER_BIND_FAILED"
        message = str(data.get("message") or data.get("error") or reply.text(200))[:300]
        return CliError(
            code,
            f"{url} answered HTTP {status}: {message}",
            details={
                "url": url,
                "status": status,
                "server_error_code": str(data.get("error_code"))[:100]
                if data.get("error_code") is not None
                else None,
                "message": message,
            },
            operator_fixable=status < 500,
        )


def _need_str(data: dict[str, Any], key: str, endpoint: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CliError(
            "TRACKER_BAD_RESPONSE",
            f"tracker {endpoint} answer has no {key}",
            details={"endpoint": endpoint, "key": key},
            operator_fixable=False,
        )
    return value


def _pick_candidate(resolved: dict[str, Any], select: int | None) -> str:
    candidates = [c for c in resolved.get("candidates") or [] if isinstance(c, dict)]
    listing = [
        {
            "number": i + 1,
            "display_label": c.get("display_label"),
            "confidence": c.get("confidence"),
            "match_reason": c.get("match_reason"),
        }
        for i, c in enumerate(sorted(candidates, key=lambda c: c.get("sort_position", 0)))
    ]
    ordered = sorted(candidates, key=lambda c: c.get("sort_position", 0))
    if select is None:
        raise CliError(
            "TRACKER_BIND_AMBIGUOUS",
            f"{len(ordered)} candidate bindings; rerun with --select N",
            details={"candidates": listing},
        )
    if not 1 <= select <= len(ordered):
        raise CliError(
            "TRACKER_SELECT_OUT_OF_RANGE",
            f"--select {select} is not between 1 and {len(ordered)}",
            details={"candidates": listing},
        )
    return _need_str(ordered[select - 1], "candidate_token", "bind-resolve")


def _bind(
    api: _Api, provider: str, identity: dict[str, Any], bind_ref: str | None, select: int | None
) -> tuple[str, dict[str, Any]]:
    if bind_ref is not None:
        body = {"provider": provider, "binding_ref": bind_ref, "project_identity": identity}
        checked = api.post("bind-validate", body)
        if checked.get("valid") is not True:
            raise CliError(
                "TRACKER_BIND_REF_INVALID",
                f"binding {bind_ref!r} is not valid: {checked.get('reason') or 'no reason given'}",
                details={"reason": checked.get("reason"), "guidance": checked.get("guidance")},
            )
        return "bind_ref", checked
    resolved = api.post("bind-resolve", {"provider": provider, "project_identity": identity})
    match = resolved.get("match_type")
    if match == "exact":
        token = _need_str(resolved, "candidate_token", "bind-resolve")
    elif match == "candidates":
        token = _pick_candidate(resolved, select)
    else:
        raise CliError(
            "TRACKER_NO_MATCH",
            f"the SaaS found no {provider} resource for this project",
            details={"provider": provider, "match_type": match},
        )
    body = {"provider": provider, "candidate_token": token, "project_identity": identity}
    confirmed = api.post("bind-confirm", body, idempotency_key=str(uuid.uuid4()))
    return str(match), confirmed


@tracker.command("bind")
@click.option("--provider", required=True, type=click.Choice(PROVIDERS), help="Tracker provider.")
@click.option("--bind-ref", default=None, help="Validate and store a known binding reference.")
@click.option("--select", type=click.IntRange(min=1), default=None, help="Pick candidate N.")
@click.option("--replace", is_flag=True, help="Replace an existing binding.")
@json_option
def bind(
    provider: str, bind_ref: str | None, select: int | None, replace: bool, as_json: bool
) -> None:
    """Bind this project to a tracker resource and store the binding in .kittify/config.yaml."""
    from spec_kitty_bodysync.delivery import resolve_server
    from spec_kitty_identity import read_config, set_config_section

    from .._project import checkout_root

    root = checkout_root()
    existing = read_config(root).get("tracker")
    if isinstance(existing, dict) and existing.get("binding_ref") and not replace:
        raise CliError(
            "TRACKER_ALREADY_BOUND",
            f"already bound to {existing.get('provider')} ({existing.get('binding_ref')}); "
            "pass --replace to bind again",
            details={"tracker": existing},
        )
    identity = project_identity(root)
    url, token = resolve_server()
    api = _Api(url, token)
    try:
        match, answer = _bind(api, provider, identity, bind_ref, select)
    finally:
        api.close()
    section = {
        "provider": answer.get("provider") or provider,
        "binding_ref": _need_str(answer, "binding_ref", "bind"),
        "display_label": answer.get("display_label"),
        "provider_context": answer.get("provider_context"),
        "project_slug": identity["slug"],
        "bound_at": answer.get("bound_at"),
    }
    section = {k: v for k, v in section.items() if v is not None}
    set_config_section(root, "tracker", section)
    data = {"match_type": match, "tracker": section, "project_identity": identity}

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        label = escape(str(section.get("display_label") or section["binding_ref"]))
        console().print(f"[green]✓[/] Bound to {escape(str(section['provider']))}: {label}")

    success(data, as_json=as_json, human=human)


@tracker.command("status")
@json_option
def status(as_json: bool) -> None:
    """Show the stored tracker binding of this project."""
    from spec_kitty_identity import read_config

    from .._project import checkout_root

    section = read_config(checkout_root()).get("tracker")
    data = {
        "bound": isinstance(section, dict) and bool(section.get("binding_ref")),
        "tracker": section if isinstance(section, dict) else None,
    }

    def human() -> None:
        from .._output import console

        if data["bound"]:
            bound = f"Bound to {section['provider']}: {section['binding_ref']}"  # type: ignore[index]
            console().print(bound, markup=False)
        else:
            console().print("Not bound to a tracker")

    success(data, as_json=as_json, human=human)
