"""Top-level commands: name -> (module, attribute, one-line help).

Modules are imported only when their command runs, so `spec-kitty --help` and every single
command pay only for what they use. Add a command by adding one line here.
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("spec_kitty_cli.commands.init", "init", "Create .kittify/ and the project identity."),
    "identity": (
        "spec_kitty_cli.commands.identity",
        "identity",
        "Show project, build and node identity.",
    ),
    "agent": (
        "spec_kitty_cli.commands.agent",
        "agent",
        "Commands for AI agents: missions and work packages.",
    ),
    "mission": (
        "spec_kitty_cli.commands.mission",
        "mission",
        "List, inspect, create and run missions.",
    ),
    "status": (
        "spec_kitty_cli.commands.status",
        "status",
        "Show a mission's kanban board of work packages.",
    ),
    "dashboard": (
        "spec_kitty_cli.commands.dashboard",
        "dashboard",
        "Serve a live, read-only web view of missions, boards, runs and sync.",
    ),
    "next": (
        "spec_kitty_cli.commands.next_cmd",
        "next_cmd",
        "Drive a mission's run: the next step, decision, block or end.",
    ),
    "orchestrator-api": (
        "spec_kitty_cli.commands.orchestrator_api",
        "orchestrator_api",
        "Host API for orchestrators (contract 1.0.0, JSON only).",
    ),
    "sync": (
        "spec_kitty_cli.commands.sync",
        "sync",
        "Deliver queued events and artifact bodies to the SaaS.",
    ),
    "dossier": (
        "spec_kitty_cli.commands.dossier",
        "dossier",
        "Show a mission's artifact dossier (hashes, index and body states).",
    ),
    "auth": ("spec_kitty_cli.commands.auth", "auth", "Store the SaaS server URL and token."),
    "tracker": (
        "spec_kitty_cli.commands.tracker",
        "tracker",
        "Bind the project to an issue tracker.",
    ),
    "upgrade": (
        "spec_kitty_cli.commands.upgrade",
        "upgrade",
        "Rewrite legacy local state to canonical mission terms.",
    ),
    "doctor": (
        "spec_kitty_cli.commands.doctor",
        "doctor",
        "Check local state without changing anything; each finding has a fix.",
    ),
    "contract": (
        "spec_kitty_cli.commands.contract",
        "contract",
        "Check JSON documents against the 3.0.0 contract.",
    ),
}

# Subcommands of `spec-kitty agent`.
AGENT_COMMANDS: dict[str, tuple[str, str, str]] = {
    "mission": (
        "spec_kitty_cli.commands.agent_mission",
        "mission",
        "Create missions (JSON for agents).",
    ),
    "tasks": ("spec_kitty_cli.commands.agent_tasks", "tasks", "Finalize and move work packages."),
    "decision": (
        "spec_kitty_cli.commands.agent_decision",
        "decision",
        "List and answer the decisions of a mission's run.",
    ),
}

# Commands whose errors must be rendered in their own contract envelope (not the generic one).
ERROR_RENDERERS: dict[str, tuple[str, str]] = {
    "orchestrator-api": ("spec_kitty_cli.commands.orchestrator_api", "render_error"),
}
