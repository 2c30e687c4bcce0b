// The console's clock-driven marks: the ticking scenario clock, the "now" line, the next
// 15 minutes, overdue acknowledgements; and a "refresh" for the panels derived from many
// events (alerts, boards). Everything else arrives as fragments over the socket (socket.js):
// the hub renders control's rows, requests and clock with the console's own templates
// (web/templates/fragments/control/), so a pushed row is exactly a rendered row.
// Without JavaScript the console still works: the server renders all of this at each load.
(() => {
  "use strict";
  const SOON = 15 * 60;
  let offset = 0; // server wall clock minus this browser's, in seconds

  function wallNow() {
    return Date.now() / 1000 + offset;
  }

  // When this page's response began to arrive (the server wrote data-server-now just
  // before): not "now", which would count the page's loading time as clock offset.
  function receivedAt() {
    const navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (navigation && navigation.responseStart > 0) {
      return (performance.timeOrigin + navigation.responseStart) / 1000;
    }
    return Date.now() / 1000;
  }

  function pad(n) {
    return String(Math.floor(n)).padStart(2, "0");
  }

  function formatTime(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const day = Math.floor(total / 86400);
    const rest = total % 86400;
    // the day prefix in the page's language (#clock's data-day, e.g. "Д%(day)s")
    const clock = document.getElementById("clock");
    const days = (clock && clock.dataset.day) || "D%(day)s";
    return `${days.replace("%(day)s", day + 1)} ${pad(rest / 3600)}:${pad((rest % 3600) / 60)}:${pad(rest % 60)}`;
  }

  function scenarioNow() {
    const clock = document.getElementById("clock");
    if (!clock) return null;
    const phase = clock.dataset.phase;
    const base = parseFloat(clock.dataset.scenarioTime || "0");
    if (!clock.hasAttribute("data-ticking")) return { phase, now: base };
    const anchor = parseFloat(clock.dataset.anchorWall || "0");
    const speed = parseFloat(clock.dataset.speed || "1");
    return { phase, now: base + Math.max(0, wallNow() - anchor) * speed };
  }

  function tickClock(clock) {
    const time = document.querySelector("#clock .clock-time");
    if (time && (clock.phase === "running" || clock.phase === "paused")) time.textContent = formatTime(clock.now);
  }

  function markRows(clock) {
    const rows = document.querySelectorAll("#control-injects > .inject-row");
    const started = clock.phase !== "planned";
    let firstAhead = null;
    for (const row of rows) {
      const due = row.dataset.due === undefined ? null : parseFloat(row.dataset.due);
      const open = row.hasAttribute("data-open");
      row.classList.toggle("soon", started && open && due !== null && due >= clock.now && due <= clock.now + SOON);
      row.classList.toggle("past-due", started && open && due !== null && due < clock.now);
      if (firstAhead === null && (due === null || due > clock.now)) firstAhead = row;
    }
    const line = document.getElementById("now-line");
    if (!line) return;
    line.hidden = !started;
    const label = line.querySelector(".now-time");
    if (label) label.textContent = formatTime(clock.now);
    const list = document.getElementById("control-injects");
    if (firstAhead && line.nextElementSibling !== firstAhead) list.insertBefore(line, firstAhead);
    else if (!firstAhead && list.lastElementChild !== line) list.appendChild(line);
  }

  function markOverdue() {
    const bar = document.querySelector("[data-alert-after]");
    if (!bar) return;
    const clock = document.getElementById("clock");
    if (clock && clock.dataset.phase === "ended") {
      // ENDEX: nothing is overdue any more
      for (const cell of document.querySelectorAll(".overdue")) cell.classList.remove("overdue");
      return;
    }
    const after = parseFloat(bar.dataset.alertAfter);
    const now = wallNow();
    for (const cell of document.querySelectorAll("[data-released-at]")) {
      cell.classList.toggle("overdue", now - parseFloat(cell.dataset.releasedAt) >= after);
    }
  }

  function rowKey(row) {
    // The server's order (timeline.timeline): the earliest planned time, then the inject's id;
    // a row with no time yet (manual, triggered) after every timed one.
    return [row.dataset.due === undefined ? Infinity : parseFloat(row.dataset.due), row.dataset.inject || ""];
  }

  function before(a, b) {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  function placeRow(row) {
    // A row the hub inserts (an ad-hoc inject, a SimCell answer) or swaps in with a new time
    // (a trigger fired, a reschedule) goes where a reload would put it: in time order.
    const list = row.parentElement;
    if (!list || list.id !== "control-injects") return;
    const key = rowKey(row);
    const rows = Array.from(list.querySelectorAll(":scope > .inject-row"));
    const at = rows.indexOf(row);
    const previous = rows[at - 1];
    const next = rows[at + 1];
    if ((!previous || !before(key, rowKey(previous))) && (!next || !before(rowKey(next), key))) return;
    const after = rows.find((other) => other !== row && before(key, rowKey(other)));
    if (after) list.insertBefore(row, after);
    else list.appendChild(row);
  }

  // Each team at its own pace: a team's own time runs from the exercise clock less its
  // offset (frozen while the team is held); in its lane, the first release still to come
  // on the team's own clock is its "now" mark (.team-now), and releases past it are marked.
  function markTeams(clock) {
    const paces = document.getElementById("team-paces");
    if (!paces) return;
    const started = clock.phase !== "planned" && clock.phase !== "ended";
    for (const cell of paces.querySelectorAll(".team-pace")) {
      const team = cell.dataset.team;
      const ticking = cell.hasAttribute("data-ticking");
      const own = parseFloat(cell.dataset.teamTime || "0");
      const offset = ticking ? parseFloat(cell.dataset.offset || "0") : clock.now - own;
      const now = ticking ? clock.now - offset : own;
      const time = cell.querySelector(".team-time");
      if (time && started) time.textContent = formatTime(now);
      const label = cell.querySelector(".team-offset");
      const minutes = Math.round(offset / 60);
      if (label) {
        const text = minutes > 0 ? paces.dataset.behind : minutes < 0 ? paces.dataset.ahead : paces.dataset.onTime;
        label.textContent = (text || "").replace("%(m)s", String(Math.abs(minutes)));
      }
      let first = null;
      for (const release of document.querySelectorAll(`#control-injects .cell-release[data-team="${CSS.escape(team)}"]`)) {
        const due = release.dataset.due === undefined ? null : parseFloat(release.dataset.due);
        const open = ["planned", "scheduled", "held"].includes(release.dataset.status);
        release.classList.toggle("team-past", started && open && due !== null && due <= now);
        if (first === null && open && due !== null && due > now) first = release;
        release.classList.remove("team-now");
      }
      if (first && started) first.classList.add("team-now");
    }
  }

  function tick() {
    const clock = scenarioNow();
    if (clock) {
      tickClock(clock);
      markRows(clock);
      markTeams(clock);
    }
    markOverdue();
  }

  const pending = {};
  function later(name) {
    clearTimeout(pending[name]);
    pending[name] = setTimeout(() => document.body.dispatchEvent(new CustomEvent(name)), 100);
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => document.body.dispatchEvent(new CustomEvent("cr:refresh")), 250);
  }

  let lastSeq = 0; // the last journal event this page has had a frame of
  function onMessage(event) {
    const data = event.detail && event.detail.message && event.detail.message.data;
    if (typeof data !== "string" || data.indexOf('"content"') === -1) return; // pings, hello...
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    if (frame.type !== "event" && frame.type !== "snapshot") return; // presence: swapped, no more
    if (typeof frame.seq === "number") lastSeq = Math.max(lastSeq, frame.seq);
    refreshSoon();
  }

  function addToken(event) {
    // Frames are shared by every console, so a form the hub pushed carries no CSRF token:
    // htmx requests send the page's token as a header; a plain post gets it added here.
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.elements.namedItem("csrf")) return;
    const token = document.querySelector("input[name=csrf]");
    if (!token) return;
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrf";
    input.value = token.value;
    form.appendChild(input);
  }

  function checkFresh(node) {
    // A part fetched again is as of its data-seq: if frames came after it, the swap may have
    // undone their changes, so fetch it once more (until it is at least as new).
    if (node.dataset && node.dataset.seq && node.dataset.refresh && Number(node.dataset.seq) < lastSeq) {
      later(node.dataset.refresh);
    }
  }

  function setupLargeType() {
    const toggle = document.querySelector("[data-large-type]");
    if (!toggle) return;
    toggle.hidden = false;
    const sync = () => {
      const on = document.body.classList.contains("large-type");
      toggle.setAttribute("aria-pressed", String(on));
      // the label says what a press does: back to normal type once large type is on
      const label = on ? toggle.dataset.on : toggle.dataset.off;
      if (label) toggle.textContent = label;
    };
    sync();
    toggle.addEventListener("click", () => {
      const on = document.body.classList.toggle("large-type");
      document.cookie = `cr_large=${on ? 1 : 0}; path=/; max-age=31536000; SameSite=Lax`;
      sync();
    });
  }

  // The clock bar's popovers (Hold, Speed / jump) and a team's "Pace…": one open at a time;
  // Escape or a click outside closes the open one (Escape gives the focus back to its summary).
  const POPOVERS = "details.hold-details, details.more-details, details.team-pace-controls";

  // A team's "Pace…" sits in its timeline lane, inside the timeline's own scroll box and
  // often low on a laptop's screen: its popover is placed in the viewport (fixed), below its
  // button if it fits there, else above, else beside it, never off screen (it scrolls inside
  // itself if the screen is shorter than it). Without JavaScript it opens in the lane.
  const PLACED = "details.team-pace-controls";
  const MARGIN = 8;
  const GAP = 4;

  function place(details) {
    const popover = details.querySelector(":scope > .popover");
    const summary = details.querySelector(":scope > summary");
    if (!popover || !summary || !details.open) return;
    const zoom = popover.currentCSSZoom || 1; // large type zooms <main>: CSS px are zoomed px
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    popover.classList.add("placed");
    popover.style.maxHeight = `${(vh - 2 * MARGIN) / zoom}px`;
    popover.style.maxWidth = `${(vw - 2 * MARGIN) / zoom}px`;
    // measured at the viewport's corner: where it was last placed would narrow its
    // shrink-to-fit width, and the placement below would then overflow the right edge
    popover.style.top = "0px";
    popover.style.left = "0px";
    const box = popover.getBoundingClientRect();
    const anchor = summary.getBoundingClientRect();
    const clamp = (value, low, high) => Math.max(low, Math.min(value, high));
    const alignedLeft = clamp(anchor.left, MARGIN, vw - box.width - MARGIN);
    let top;
    let left = alignedLeft;
    if (anchor.bottom + GAP + box.height <= vh - MARGIN) top = anchor.bottom + GAP;
    else if (anchor.top - GAP - box.height >= MARGIN) top = anchor.top - GAP - box.height;
    else {
      top = clamp(anchor.top, MARGIN, vh - box.height - MARGIN);
      if (anchor.right + GAP + box.width <= vw - MARGIN) left = anchor.right + GAP;
      else if (anchor.left - GAP - box.width >= MARGIN) left = anchor.left - GAP - box.width;
    }
    popover.style.top = `${top / zoom}px`;
    popover.style.left = `${left / zoom}px`;
    const placed = popover.getBoundingClientRect(); // a width that changed as it moved
    if (placed.right > vw - MARGIN) {
      popover.style.left = `${Math.max(MARGIN, left - (placed.right - (vw - MARGIN))) / zoom}px`;
    }
  }

  function placeOpen() {
    for (const details of document.querySelectorAll(`${PLACED}[open]`)) place(details);
  }

  function setupPopovers() {
    const all = () => Array.from(document.querySelectorAll(POPOVERS));
    document.addEventListener("toggle", (event) => {
      const opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.matches(POPOVERS)) return;
      for (const other of all()) if (other !== opened) other.open = false;
      if (opened.matches(PLACED)) place(opened);
    }, true);
    window.addEventListener("resize", placeOpen);
    document.addEventListener("scroll", placeOpen, true); // the page or the timeline's box
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      for (const details of all()) {
        if (!details.open) continue;
        details.open = false;
        const summary = details.querySelector("summary");
        if (summary && details.contains(document.activeElement)) summary.focus();
      }
    });
    document.addEventListener("click", (event) => {
      for (const details of all()) {
        if (details.open && !details.contains(event.target)) details.open = false;
      }
    });
  }

  // -- a new request from the viewer's own teams: a badge on the SimCell link and a tone ---
  let audio = null;
  function tone() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume();
    const gain = audio.createGain();
    gain.gain.value = 0.15;
    gain.connect(audio.destination);
    const beep = audio.createOscillator();
    beep.frequency.value = 880;
    beep.connect(gain);
    beep.start();
    beep.stop(audio.currentTime + 0.25);
  }

  function markRequest(node) {
    const badge = document.getElementById("simcell-badge");
    if (!badge || !node.dataset.request) return;
    const mine = badge.dataset.mine.split(" ");
    if (!mine.includes(node.dataset.team)) return;
    const waiting = new Set(badge.dataset.waiting.split(" ").filter(Boolean));
    const id = node.dataset.request;
    const isNew = node.dataset.state === "waiting" && !waiting.has(id);
    if (node.dataset.state === "waiting") waiting.add(id);
    else waiting.delete(id);
    badge.dataset.waiting = [...waiting].join(" ");
    badge.textContent = String(waiting.size);
    badge.hidden = waiting.size === 0;
    if (isNew) {
      badge.dataset.alerted = id;
      tone();
    }
  }

  function start() {
    const bar = document.querySelector("[data-server-now]");
    if (bar) offset = parseFloat(bar.dataset.serverNow) - receivedAt();
    setupLargeType();
    setupPopovers();
    document.addEventListener("submit", addToken, true);
    document.addEventListener("htmx:ws:after:message:incoming", onMessage);
    document.addEventListener("htmx:after:request", (event) => {
      const source = event.target;
      const details = source && source.closest && source.closest("details.hold-details, details.more-details, details.team-pace-controls");
      const status = event.detail && event.detail.ctx && event.detail.ctx.response && event.detail.ctx.response.status;
      if (details && status && status < 400) details.open = false;
    });
    const main = document.getElementById("main");
    if (main) {
      // Rows pushed or swapped in (whatever put them there) get their marks at once and go
      // where their time says.
      new MutationObserver((records) => {
        let rows = false;
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node.nodeType !== 1) continue;
            checkFresh(node);
            if (node.classList.contains("simcell-request")) markRequest(node);
            if (!node.classList.contains("inject-row")) continue;
            rows = true;
            placeRow(node);
          }
        }
        if (rows) tick();
      }).observe(main, { childList: true, subtree: true });
    }
    tick();
    setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
