// The status page: polls /admin/status every second and redraws. Values from the configuration (hosts, paths,
// names) are written as text, never as HTML. Rates are the difference of two polls' counters.
"use strict";

const POLL_MS = 1000;
let previous = null; // { at: ms, routes: Map, endpoints: Map }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function rate(now, before, seconds) {
  if (before === undefined || seconds <= 0) return 0;
  return Math.max(0, (now - before) / seconds); // a reload can restart a route's counter: never a negative rate
}

function fixed(value) {
  return value === 0 ? "0" : value < 10 ? value.toFixed(2) : value.toFixed(0);
}

function replaceRows(tbody, rows, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { class: "empty", colspan: String(columns) }, "none"))]));
}

function render(status) {
  const at = Date.parse(status.now);
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const routes = new Map(), endpoints = new Map();

  const readiness = document.getElementById("readiness");
  readiness.textContent = status.ready ? "ready" : "not ready: " + status.readiness;
  readiness.className = "badge " + (status.ready ? "ready" : "not-ready");
  document.getElementById("snapshot").textContent = `snapshot ${status.version} · ${status.contentHash.slice(0, 12)}`;
  document.getElementById("source").textContent = status.source;
  document.getElementById("updated").textContent = "updated " + new Date(at).toLocaleTimeString();

  const pools = status.pools.map(pool => {
    const rows = pool.endpoints.map(e => {
      const key = pool.id + "|" + e.id;
      endpoints.set(key, e);
      const before = previous && previous.endpoints.get(key);
      return el("div", { class: "endpoint", "data-pool": pool.id, "data-endpoint": e.id, "data-state": e.state },
        el("span", {}, e.id + (e.backup ? " (backup)" : "")),
        el("span", { class: "state" }, e.state),
        el("span", { class: "num" }, e.weight),
        el("span", { class: "num" }, e.inFlight),
        el("span", { class: "num" }, fixed(rate(e.requests, before && before.requests, seconds))),
        el("span", { class: "num" }, fixed(rate(e.errors, before && before.errors, seconds))));
    });
    const head = el("div", { class: "endpoint head" }, el("span", {}, "endpoint"), el("span", {}, "health"), el("span", { class: "num" }, "weight"),
      el("span", { class: "num" }, "in flight"), el("span", { class: "num" }, "req/s"), el("span", { class: "num" }, "5xx/s"));
    return el("div", { class: "pool", "data-pool": pool.id },
      el("h3", {}, pool.id, el("small", {}, `${pool.algorithm} · ${pool.protocol} · ${pool.mode}`)), head, ...rows);
  });
  document.getElementById("pools").replaceChildren(...(pools.length ? pools : [el("p", { class: "empty" }, "no pools")]));

  replaceRows(document.querySelector("#routes tbody"), status.routes.map(r => {
    const key = r.port + "|" + r.id;
    routes.set(key, r);
    const before = previous && previous.routes.get(key);
    return el("tr", { "data-route": r.id },
      el("td", {}, `${r.listener} :${r.port}`), el("td", {}, r.id), el("td", {}, r.hosts.join(", ") || "any"),
      el("td", {}, r.requires.join(", ") || "anything"), el("td", {}, r.pools.join(", ")),
      el("td", { class: "num" }, fixed(rate(r.requests, before && before.requests, seconds))),
      el("td", { class: "num" }, fixed(rate(r.errors, before && before.errors, seconds))));
  }), 7);

  replaceRows(document.querySelector("#listeners tbody"), status.listeners.map(l =>
    el("tr", {}, el("td", {}, l.name), el("td", {}, l.address), el("td", { class: "num" }, l.port), el("td", {}, l.kind), el("td", { class: "num" }, l.routes))), 5);

  replaceRows(document.querySelector("#certificates tbody"), status.certificates.map(c =>
    el("tr", { class: c.daysLeft !== null && c.daysLeft < 14 ? "expiring" : "" },
      el("td", {}, c.listener), el("td", {}, c.names.join(", ") || c.subject), el("td", {}, c.source),
      el("td", {}, c.notAfter ? new Date(c.notAfter).toISOString().slice(0, 10) : (c.message || "not issued")),
      el("td", { class: "num" }, c.daysLeft === null ? "–" : c.daysLeft))), 5);

  const reloads = status.reloads.map(r => el("li", { class: r.outcome },
    `${new Date(r.at).toLocaleTimeString()} ${r.outcome} — serving snapshot ${r.version}`,
    ...(r.errors.length ? [el("pre", {}, r.errors.join("\n"))] : [])));
  document.getElementById("reloads").replaceChildren(...(reloads.length ? reloads : [el("li", { class: "empty" }, "none yet")]));

  previous = { at, routes, endpoints };
}

async function poll() {
  try {
    const response = await fetch("/admin/status", { cache: "no-store" });
    if (response.ok) render(await response.json());
    else document.getElementById("readiness").textContent = "admin answered " + response.status;
  } catch (e) {
    const readiness = document.getElementById("readiness");
    readiness.textContent = "admin port unreachable";
    readiness.className = "badge not-ready";
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
