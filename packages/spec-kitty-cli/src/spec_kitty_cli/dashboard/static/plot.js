// spec-kitty dashboard: inline SVG drawings (lane bars and the lane timeline). No external code.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  return node;
}

// A horizontal bar: one segment per lane, width proportional to its count.
function laneBar(lanes, counts, total) {
  const svg = svgEl("svg", { class: "lanebar", viewBox: "0 0 100 6", preserveAspectRatio: "none",
    role: "img", "aria-label": "work packages by lane" });
  let x = 0;
  if (!total) {
    svg.appendChild(svgEl("rect", { x: 0, y: 0, width: 100, height: 6, class: "fill-empty" }));
    return svg;
  }
  for (const lane of lanes) {
    const n = counts[lane] || 0;
    if (!n) continue;
    const w = (100 * n) / total;
    const rect = svgEl("rect", { x: x, y: 0, width: w, height: 6, class: "fill-" + lane });
    const tip = svgEl("title");
    tip.textContent = lane + ": " + n;
    rect.appendChild(tip);
    svg.appendChild(rect);
    x += w;
  }
  return svg;
}

// Stacked step areas: WPs by lane over time, from /api/missions/M/timeline.
function timelinePlot(data) {
  const wrap = document.createElement("div");
  wrap.className = "plot";
  const points = data.points || [];
  if (!points.length) {
    wrap.textContent = "No transitions yet.";
    return wrap;
  }
  const W = 800, H = 180;
  const t0 = Date.parse(points[0].at);
  const t1 = Math.max(Date.parse(points[points.length - 1].at), Date.now());
  const span = Math.max(1, t1 - t0);
  const ymax = Math.max(1, ...points.map((p) => p.counts.reduce((a, b) => a + b, 0)));
  const xs = points.map((p) => ((Date.parse(p.at) - t0) / span) * W);
  const svg = svgEl("svg", { class: "timeline", viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: "none", role: "img", "aria-label": "work packages by lane over time" });
  const base = points.map(() => 0);
  data.lanes.forEach((lane, li) => {
    if (!points.some((p) => p.counts[li])) return;
    const top = points.map((p, i) => base[i] + p.counts[li]);
    let d = "";
    points.forEach((p, i) => {
      const x = xs[i], xn = i + 1 < xs.length ? xs[i + 1] : W;
      const y = H - (top[i] / ymax) * H;
      d += (i ? " L" : "M") + x.toFixed(1) + " " + y.toFixed(1) + " L" + xn.toFixed(1) + " " + y.toFixed(1);
    });
    for (let i = points.length - 1; i >= 0; i--) {
      const x = xs[i], xn = i + 1 < xs.length ? xs[i + 1] : W;
      const y = H - (base[i] / ymax) * H;
      d += " L" + xn.toFixed(1) + " " + y.toFixed(1) + " L" + x.toFixed(1) + " " + y.toFixed(1);
    }
    const path = svgEl("path", { d: d + " Z", class: "fill-" + lane });
    const tip = svgEl("title");
    tip.textContent = lane;
    path.appendChild(tip);
    svg.appendChild(path);
    top.forEach((v, i) => { base[i] = v; });
  });
  wrap.appendChild(svg);
  const axis = document.createElement("div");
  axis.className = "axis";
  const left = document.createElement("span");
  left.textContent = new Date(t0).toLocaleString();
  const mid = document.createElement("span");
  mid.textContent = "max " + ymax + " WPs · " + data.transitions + " transitions";
  const right = document.createElement("span");
  right.textContent = "now";
  axis.append(left, mid, right);
  wrap.appendChild(axis);
  const legend = document.createElement("div");
  legend.className = "legend";
  data.lanes.forEach((lane, li) => {
    const last = points[points.length - 1].counts[li];
    const item = document.createElement("span");
    item.className = "chip lane-" + lane;
    item.textContent = lane + " " + last;
    legend.appendChild(item);
  });
  wrap.appendChild(legend);
  return wrap;
}

window.skPlot = { laneBar, timelinePlot };
