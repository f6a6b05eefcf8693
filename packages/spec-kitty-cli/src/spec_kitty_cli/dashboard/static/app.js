// spec-kitty dashboard page. Every value from the project is put into the page as text
// (textContent / setAttribute), never as HTML. It polls /api/changes every second and
// re-reads the panels when the token changes: a transition shows up without a reload.
"use strict";

const POLL_MS = 1000;
const state = { token: null, mission: null, registry: null, board: null, failures: 0 };

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(id, ...nodes) {
  const target = document.getElementById(id);
  target.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store", credentials: "same-origin" });
  const doc = await response.json();
  if (doc.result !== "success") throw Object.assign(new Error(doc.message || "error"), { doc });
  return doc;
}

function since(iso) {
  if (!iso) return "";
  let s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return d + "d " + hh + "h";
  if (hh) return hh + "h " + m + "m";
  if (m) return m + "m " + s + "s";
  return s + "s";
}

function errorBox(err) {
  const doc = err.doc || {};
  return h("div", { class: "error" }, (doc.error_code ? doc.error_code + ": " : "") + err.message);
}

// -- panels ------------------------------------------------------------------------------------
function renderIdentity(doc) {
  const p = doc.project, short = (v) => (v ? String(v).slice(0, 8) : "—");
  show("identity",
    h("span", { class: "pill", title: "project uuid " + p.uuid }, "project ", h("b", {}, p.slug)),
    h("span", { class: "pill", title: "build id " + doc.build.id }, "build ", h("code", {}, short(doc.build.id))),
    h("span", { class: "pill", title: "node id " + doc.node.id }, "node ", h("code", {}, doc.node.id)));
}

function renderMissions(reg) {
  const items = reg.missions.map((m) => {
    const selected = m.mission_slug === state.mission;
    const counts = m.summary || {};
    const run = m.run && m.run.state !== "none" ? "run: " + m.run.state : "no run";
    const body = m.error
      ? h("div", { class: "error" }, m.error.code + ": " + m.error.message)
      : [window.skPlot.laneBar(reg.lanes, counts, m.total_wps),
         h("div", { class: "meta" }, `${m.done_count}/${m.total_wps} done · ${run} · ${since(m.last_activity)} ago`)];
    const link = h("a", { href: "#/m/" + encodeURIComponent(m.mission_slug), class: "mission-link" },
      h("div", { class: "mission-title" },
        h("span", { class: "num" }, "#" + m.mission_number), " ",
        h("span", { class: "slug" }, m.mission_slug)),
      h("div", { class: "friendly" }, m.friendly_name, " ", h("span", { class: "type" }, m.mission_type)),
      body);
    return h("li", { "data-mission": m.mission_slug, class: selected ? "selected" : "" }, link);
  });
  show("missions", ...(items.length ? items : [h("li", { class: "muted" }, "No missions yet.")]));
}

function card(wp) {
  const deps = wp.dependencies_detail.map((d) =>
    h("span", { class: "dep " + (d.met ? "met" : "unmet"), title: d.wp_id + " is " + (d.lane || "unknown") },
      (d.met ? "✓ " : "✗ ") + d.wp_id));
  return h("button", { type: "button", class: "card lane-edge-" + wp.lane, "data-wp": wp.wp_id, "data-lane": wp.lane },
    h("div", { class: "card-head" }, h("b", {}, wp.wp_id),
      h("span", { class: "age", "data-since": wp.in_lane_since || "" }, since(wp.in_lane_since))),
    h("div", { class: "card-title" }, wp.title || "(untitled)"),
    deps.length ? h("div", { class: "deps" }, ...deps) : null,
    wp.holder ? h("div", { class: "holder" }, "held by ", h("b", {}, wp.holder)) : null,
    wp.block_reason ? h("div", { class: "reason" }, "blocked: " + wp.block_reason) : null);
}

function renderBoard(board) {
  state.board = board;
  show("mission-head",
    h("h2", {}, "#" + board.mission_number + " " + board.mission_slug),
    h("span", { class: "type" }, board.mission_type),
    h("span", { class: "muted" }, ` ${board.done_count}/${board.total_wps} done (${board.done_percentage}%)`),
    ...board.warnings.map((w) => h("div", { class: "warning" }, w)));
  const columns = board.lanes.map((lane) => {
    const cards = board.work_packages.filter((wp) => wp.lane === lane).map(card);
    return h("section", { class: "column", "data-lane": lane },
      h("h3", { class: "lane-" + lane }, lane.replace("_", " "), h("span", { class: "count" }, String(cards.length))),
      h("div", { class: "cards" }, ...cards));
  });
  show("board", ...columns);
}

function renderRun(doc) {
  const run = doc.run;
  if (run.state === "none") return show("run", h("p", { class: "muted" }, "No run for this mission."));
  if (run.state === "unreadable") return show("run", h("div", { class: "error" }, run.reason));
  const steps = run.steps.map((s) => h("li", { class: "step step-" + s.status },
    h("span", { class: "badge" }, s.status), " ", h("b", {}, s.id), " ", s.title || "",
    s.issued_to ? h("span", { class: "muted" }, " → " + s.issued_to) : null));
  const decisions = run.open_decisions.map((d) => h("li", {}, h("b", {}, d.decision_id), " ", d.question || ""));
  show("run",
    h("p", {}, `${run.state} · ${run.counts.done} done, ${run.counts.issued} issued, ${run.counts.waiting} waiting`),
    run.blocked_reason ? h("div", { class: "reason" }, "blocked: " + run.blocked_reason) : null,
    h("ol", { class: "steps" }, ...steps),
    decisions.length ? h("div", {}, h("h3", {}, "Open decisions"), h("ul", {}, ...decisions)) : null);
}

function kv(rows) {
  return h("table", { class: "kv" }, ...rows.filter(Boolean).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))));
}

function renderSync(doc) {
  const ev = doc.events.counts, bodies = doc.bodies.counts || {}, server = doc.server;
  const err = doc.events.last_error;
  const dossier = Array.isArray(doc.dossier) ? doc.dossier : null;
  const dossierRows = (dossier || []).map((d) => [
    "dossier " + d.mission_slug,
    `${d.artifacts_indexed} indexed · missing: ${(d.artifacts_missing || []).join(", ") || "none"} · ` +
      `snapshot ${String(d.snapshot_hash || "—").slice(0, 12)} · ${d.parity || ""}` +
      (d.drift ? " · drift: " + (d.drift.kind || JSON.stringify(d.drift)) : ""),
  ]);
  show("sync", kv([
    ["server", server.server_url || "not configured"],
    ["token", server.token_set ? "set (" + server.token_source + ")" : "not set"],
    ["events", Object.entries(ev).filter(([k]) => k !== "total").map(([k, v]) => k + " " + v).join(" · ")],
    ["bodies", Object.keys(bodies).length ? Object.entries(bodies).map(([k, v]) => k + " " + v).join(" · ") : doc.bodies.status],
    err ? ["last error", err.code + ": " + err.message] : null,
    ...(dossierRows.length ? dossierRows : [["dossier", "no snapshot yet"]]),
  ]));
}

function evidenceText(ev) {
  if (!ev) return "";
  const parts = [];
  for (const r of Array.isArray(ev.repos) ? ev.repos : []) {
    parts.push(`${r.repo}@${r.branch} ${String(r.commit || "").slice(0, 10)}`);
  }
  if (ev.review && typeof ev.review === "object") parts.push(`review: ${ev.review.reviewer || "?"} ${ev.review.verdict || ""}`);
  for (const v of Array.isArray(ev.verification) ? ev.verification : []) parts.push("verified: " + JSON.stringify(v));
  return parts.length ? parts.join(" · ") : JSON.stringify(ev);
}

async function openHistory(wpId) {
  const dialog = document.getElementById("history");
  show("history-title", wpId);
  show("history-body", h("p", { class: "muted" }, "loading…"));
  if (!dialog.open) dialog.showModal();
  try {
    const doc = await getJSON(`/api/missions/${encodeURIComponent(state.mission)}/wps/${encodeURIComponent(wpId)}/history`);
    show("history-title", doc.wp_id + " · " + (doc.title || "") + " · " + doc.lane);
    const rows = doc.history.map((e) => h("tr", { class: "entry-" + e.kind },
      h("td", {}, new Date(e.at).toLocaleString()), h("td", {}, e.actor),
      h("td", {}, e.kind === "note" ? "note" : (e.from_lane || "∅") + " → " + e.to_lane + (e.force ? " (forced)" : "")),
      h("td", {}, e.note || ""), h("td", {}, e.review_ref || ""),
      h("td", { class: "evidence" }, evidenceText(e.evidence))));
    show("history-body",
      doc.truncated ? h("p", { class: "muted" }, `showing the newest ${doc.history.length} of ${doc.total_entries}`) : null,
      h("table", { class: "history" },
        h("thead", {}, h("tr", {}, ...["when", "who", "from → to", "note", "review", "evidence"].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...rows)));
  } catch (err) {
    show("history-body", errorBox(err));
  }
}

// -- refresh and polling -----------------------------------------------------------------------
function pickMission(reg) {
  const wanted = decodeURIComponent((location.hash.match(/^#\/m\/(.+)$/) || [])[1] || "");
  const slugs = reg.missions.map((m) => m.mission_slug);
  return slugs.includes(wanted) ? wanted : slugs[0] || null;
}

async function refresh() {
  const [reg, ident, sync] = await Promise.all([getJSON("/api/registry"), getJSON("/api/identity"), getJSON("/api/sync")]);
  state.registry = reg;
  state.mission = pickMission(reg);
  renderIdentity(ident);
  renderMissions(reg);
  renderSync(sync);
  if (!state.mission) {
    show("mission-head", h("p", { class: "muted" }, "No missions yet: `spec-kitty mission create <title>` creates one."));
    return show("board");
  }
  const base = "/api/missions/" + encodeURIComponent(state.mission);
  const [board, timeline, run] = await Promise.all(
    [getJSON(base + "/board"), getJSON(base + "/timeline"), getJSON(base + "/run")].map((p) => p.catch((e) => e)));
  if (board instanceof Error) show("board", errorBox(board)); else renderBoard(board);
  if (timeline instanceof Error) show("timeline", errorBox(timeline)); else show("timeline", window.skPlot.timelinePlot(timeline));
  if (run instanceof Error) show("run", errorBox(run)); else renderRun(run);
}

function setLive(ok, text) {
  const live = document.getElementById("live");
  live.dataset.state = ok ? "live" : "down";
  live.textContent = text;
}

async function poll() {
  try {
    const doc = await getJSON("/api/changes");
    if (doc.token !== state.token) {
      await refresh();
      state.token = doc.token;
    }
    state.failures = 0;
    setLive(true, "live · " + new Date().toLocaleTimeString());
  } catch (err) {
    state.failures += 1;
    setLive(false, "offline: " + err.message);
  }
  for (const node of document.querySelectorAll("[data-since]")) node.textContent = since(node.dataset.since);
  setTimeout(poll, POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("board").addEventListener("click", (event) => {
    const target = event.target.closest("[data-wp]");
    if (target) openHistory(target.dataset.wp);
  });
  document.getElementById("history-close").addEventListener("click", () => document.getElementById("history").close());
  window.addEventListener("hashchange", () => { state.token = null; });
  poll();
});
