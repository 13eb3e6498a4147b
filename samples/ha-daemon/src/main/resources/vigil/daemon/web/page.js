// The Vigil web page (served as /page.js): shows times in the browser's time zone, asks before disruptive actions,
// and replaces the page's live part with what the node pushes on every change (Server-Sent Events at /live).
"use strict";
(() => {
  const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const dated = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const live = document.getElementById("live");
  const state = document.getElementById("live-state");
  let waiting = null; // an update held back while the admin picks from a list

  function ago(d) {
    const s = Math.round((Date.now() - d.getTime()) / 1000);
    const a = Math.abs(s);
    const text = a < 90 ? a + " s" : a < 5400 ? Math.round(a / 60) + " min" : a < 172800 ? Math.round(a / 3600) + " h" : Math.round(a / 86400) + " days";
    return s >= 0 ? text + " ago" : "in " + text;
  }

  function localTimes(root) {
    for (const t of root.querySelectorAll("time[datetime]")) {
      const d = new Date(t.getAttribute("datetime"));
      if (isNaN(d.getTime())) continue;
      t.textContent = (d.toDateString() === new Date().toDateString() ? clock : dated).format(d);
      t.title = d.toISOString() + " (" + ago(d) + ")";
    }
  }

  function confirmations(root) {
    for (const f of root.querySelectorAll("form[data-confirm]")) {
      f.addEventListener("submit", e => { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
    }
  }

  function apply(html) {
    const a = document.activeElement;
    if (a && a.tagName === "SELECT" && live.contains(a)) { waiting = html; return; }
    waiting = null;
    live.innerHTML = html;
    localTimes(live);
    confirmations(live);
  }

  live.addEventListener("focusout", () => setTimeout(() => { if (waiting !== null) apply(waiting); }, 0));
  localTimes(document);
  confirmations(document);
  if (window.EventSource) {
    const events = new EventSource("live");
    events.onopen = () => { state.textContent = "live"; state.className = "ok"; };
    events.onmessage = e => {
      apply(e.data);
      state.textContent = "live, updated " + clock.format(new Date());
      state.className = "ok";
    };
    events.onerror = () => { state.textContent = "reconnecting…"; state.className = "warn"; };
  }
})();
