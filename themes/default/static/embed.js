/* statusgen embed.js: the status of a statusgen page, shown on another site.

   <script src="https://status.example.com/embed.js" data-mode="pill" async></script>

   shows a pill (an icon and the overall status, linked to the page) where the script stands; with
   data-mode="banner", a banner at the top of the page while an incident is open or maintenance
   is under way, and nothing when all is well. Each element <div data-statusgen="pill|banner">
   gets one instead, when the page has such elements. The status is read from api/v2/summary.json
   beside this script; if it cannot be read in time, nothing is shown and nothing is logged.
   Text from the API is only ever set as text (textContent), never parsed as markup. */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src) return;
  const base = new URL(".", script.src).href;
  const TIMEOUT = 8000;
  const SVG = "http://www.w3.org/2000/svg";
  // The mark inside each indicator's circle: a check, a bar, "!", a cross, a clock.
  const MARKS = {
    none: "m7.5 12.5 3 3 6-6.5",
    minor: "M7 12h10",
    major: "M12 7v6m0 4v.5",
    critical: "m8.5 8.5 7 7m0-7-7 7",
    maintenance: "M12 7v5l3.5 2",
  };
  const CSS =
    ":host{all:initial;font:600 14px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;" +
    "--bg:#fff;--fg:#1f2328;--line:#d1d9e0;--none:#1a7f37;--minor:#9a6700;--major:#bc4c00;--critical:#cf222e;--maintenance:#0969da}" +
    "@media (prefers-color-scheme:dark){:host{--bg:#0d1117;--fg:#e6edf3;--line:#3d444d;--none:#3fb950;" +
    "--minor:#d29922;--major:#f0883e;--critical:#ff7b72;--maintenance:#79c0ff}}" +
    ".pill{display:inline-flex;gap:.4em;align-items:center;padding:.2em .7em;border:1px solid var(--line);" +
    "border-radius:999px;background:var(--bg);text-decoration:none}" +
    ".pill:hover span{text-decoration:underline}" +
    ".banner{display:block;padding:.6em 1em;background:var(--bg);color:var(--fg);border:1px solid var(--line);" +
    "border-inline-start-width:6px;border-radius:6px;margin:0 0 .5em}" +
    ".banner a{color:inherit}.banner .st{font-weight:400;margin-inline-start:.5em}" +
    "svg{width:1.15em;height:1.15em;flex:none;vertical-align:-.2em;margin-inline-end:.4em}" +
    "a:focus-visible{outline:2px solid currentColor;outline-offset:2px}" +
    ":host([data-statusgen=banner]){display:block}" +
    ["none", "minor", "major", "critical", "maintenance"]
      .map((i) => `.c-${i}{color:var(--${i})}.b-${i}{border-inline-start-color:var(--${i})}`)
      .join("");

  const el = (name, className, text) => {
    const node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  };

  const icon = (indicator) => {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "c-" + indicator);
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", "12");
    circle.setAttribute("cy", "12");
    circle.setAttribute("r", "10");
    circle.setAttribute("fill", "currentColor");
    const mark = document.createElementNS(SVG, "path");
    mark.setAttribute("d", MARKS[indicator] || MARKS.minor);
    mark.setAttribute("fill", "none");
    mark.setAttribute("stroke", "var(--bg)");
    mark.setAttribute("stroke-width", "2.4");
    mark.setAttribute("stroke-linecap", "round");
    mark.setAttribute("stroke-linejoin", "round");
    svg.append(circle, mark);
    return svg;
  };

  // An incident's page, beside this script: made of its id (the API's links name the site's
  // published address, which may not be the one the script was loaded from).
  const pageOf = (item) => (/^[a-z0-9-]+$/.test(item.id) ? `${base}incidents/${item.id}/` : base);
  const text = (value) => (typeof value === "string" ? value : "");
  const words = (status) => {
    const plain = text(status).replace(/_/g, " ");
    return plain.charAt(0).toUpperCase() + plain.slice(1);
  };
  const known = (indicator) => (Object.prototype.hasOwnProperty.call(MARKS, indicator) ? indicator : "minor");

  const pill = (summary) => {
    const status = summary.status || {};
    const indicator = known(status.indicator);
    const a = el("a", "pill c-" + indicator);
    a.href = base;
    a.append(icon(indicator), el("span", "", text(status.description)));
    return [a];
  };

  const banners = (summary) => {
    const open = (summary.incidents || []).map((i) => [i, known(i.impact)]);
    const maintenance = (summary.scheduled_maintenances || [])
      .filter((m) => m.status === "in_progress" || m.status === "verifying")
      .map((m) => [m, "maintenance"]);
    return open.concat(maintenance).map(([item, indicator]) => {
      const box = el("div", "banner b-" + indicator);
      box.setAttribute("role", "status");
      const a = el("a", "", text(item.name));
      a.href = pageOf(item);
      box.append(icon(indicator), a, el("span", "st", words(item.status)));
      return box;
    });
  };

  const show = (host, mode, summary) => {
    const nodes = mode === "banner" ? banners(summary) : pill(summary);
    if (!nodes.length) return;
    const root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.append(el("style", "", CSS), ...nodes);
  };

  const targets = () => {
    const marked = Array.from(document.querySelectorAll("[data-statusgen]"));
    if (marked.length) return marked.map((host) => [host, host.getAttribute("data-statusgen")]);
    const mode = script.getAttribute("data-mode") === "banner" ? "banner" : "pill";
    const host = el(mode === "banner" ? "div" : "span");
    host.setAttribute("data-statusgen", mode);
    if (mode === "banner" && document.body) document.body.prepend(host);
    else if (script.parentNode && script.parentNode !== document.head) script.after(host);
    else if (document.body) document.body.append(host);
    return [[host, mode]];
  };

  const load = async () => {
    const abort = typeof AbortController === "function" ? new AbortController() : null;
    const timer = setTimeout(() => abort && abort.abort(), TIMEOUT);
    try {
      const response = await fetch(base + "api/v2/summary.json", {
        credentials: "omit",
        signal: abort ? abort.signal : undefined,
      });
      if (!response.ok) return;
      const summary = await response.json();
      if (!summary || typeof summary !== "object") return;
      for (const [host, mode] of targets()) show(host, mode, summary);
    } catch (error) {
      // Unreachable, too slow or not JSON: the host page goes on without the status.
    } finally {
      clearTimeout(timer);
    }
  };

  load();
})();
