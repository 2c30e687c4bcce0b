/*
 * The team dashboard's and the actor tablet's behaviour around the live cards.
 * Design: docs/devices.md. Everything here works on what is in the DOM; nothing is stored.
 *
 *   - team: the unread badge (and the tab title) counts injects not yet acknowledged;
 *     attachments open in a viewer dialog;
 *   - all three (team, actor, observer): the exercise clock runs here, from #clock's anchor
 *     (scenario time at a server wall time), speed and phase, whenever scenario time runs
 *     (clock.js: phase running, or data-ticking on control's and observers' clock, which
 *     runs through a pause of the releases); a hold, a jump or a new speed arrives as a new
 *     #clock;
 *   - actor: cue groups are ordered by time, the card to act on is marked (in scene, else
 *     ready, else the first not done), and a countdown runs to the next cue (on the
 *     server's clock, in wall time: clock.js, the run sheet's computation); a cue whose time has passed and that the actor has not
 *     marked (Ready / In scene / Done) comes first, as overdue ("Due 3 min ago"), until it is;
 *   - a page restored from the back/forward cache is reloaded, and htmx history is off on
 *     these pages, so the back button never shows exercise content after a revocation or a
 *     sign-out. (A revoked device, socket close 4403, is handled by socket.js: it empties
 *     the page and replaces it by the device page, data-cr-revoked, which the server
 *     answers for a revoked device by ending its session and showing /join/ended.)
 */
(() => {
  "use strict";

  const TICK_MS = 1000;
  const CLOCK_MS = 250; // the clock's own tick: it is never more than a quarter second behind
  const root = () => document.getElementById("device");

  // No htmx history on a device: htmx 4 keeps no history cache, but with history on it
  // stamps the entry and re-fetches it into the page on "back"; off, the browser reloads
  // the page from the server (no-store), which refuses a revoked or signed-out device.
  if (window.htmx) window.htmx.config.history = false;

  // -- leaving: signed out, or back from the cache ----------------------------------------

  document.addEventListener("submit", (event) => {
    if (event.target.matches && event.target.matches("form[data-leave]")) {
      const main = document.getElementById("main");
      if (main) main.replaceChildren(); // nothing left to show while the browser leaves
    }
  });

  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      const main = document.getElementById("main");
      if (main) main.replaceChildren();
      window.location.reload();
    }
  });

  // -- the team: unread badge, attachment viewer --------------------------------------------

  function unread() {
    const badge = document.getElementById("unread");
    if (!badge) return;
    const count = document.querySelectorAll(
      '#team-injects .inject-card:not([data-status="acknowledged"])'
    ).length;
    badge.hidden = count === 0;
    badge.textContent = (badge.dataset.label || "%d").replace("%d", String(count));
    const base = document.title.replace(/^\(\d+\) /, "");
    document.title = count ? `(${count}) ${base}` : base;
  }

  async function openAttachment(link) {
    const dialog = document.getElementById("attachment-viewer");
    if (!dialog || !dialog.showModal) return false;
    let response;
    try {
      response = await fetch(link.href, {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      return false;
    }
    if (!response.ok || response.redirected) return false;
    dialog.querySelector(".viewer-body").innerHTML = await response.text();
    dialog.querySelector(".viewer-title").textContent = link.textContent.trim();
    dialog.querySelector(".viewer-open").href = link.href;
    dialog.showModal();
    return true;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(".inject-attachments a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    openAttachment(link).then((shown) => { if (!shown) window.location.assign(link.href); });
  });

  document.addEventListener("close", (event) => {
    if (event.target.id === "attachment-viewer") {
      event.target.querySelector(".viewer-body").replaceChildren();
    }
  }, true);

  // -- the actor: order, current card, countdown -------------------------------------------

  // The clock on this page (#clock), through the one computation (clock.js): it runs while
  // scenario time runs, whatever the audience's phase says (an observer's "releases paused").
  function scenarioNow() {
    const clock = document.getElementById("clock");
    return clock ? window.crClock.scenarioNow(clock) : null;
  }

  function orderCues() {
    const groups = Array.from(document.querySelectorAll("#actor-cues .cue-group"));
    const due = (group) => (group.dataset.due === undefined ? Infinity : Number(group.dataset.due));
    groups.sort((a, b) => due(a) - due(b));
    groups.forEach((group, index) => { group.style.order = String(index); });
    // the card to act on: one the actor is in, else one they are ready for, else the first
    // card not done, in time order
    const open = groups
      .filter((group) => group.dataset.state !== "cancelled")
      .flatMap((group) => Array.from(group.querySelectorAll(".cue-card")))
      .filter((card) => card.dataset.status !== "done");
    const current =
      open.find((card) => card.dataset.status === "in-scene") ||
      open.find((card) => card.dataset.status === "ready") ||
      open[0] ||
      null;
    if (current) current.closest(".cue-group").style.order = "-1"; // the card to act on, first
    const page = root();
    const now = scenarioNow();
    for (const card of document.querySelectorAll("#actor-cues .cue-card")) {
      card.classList.toggle("current", card === current);
      if (card !== current || !page) continue;
      // the card to act on: "now" once its time has come or the actor is on it, else "next"
      const due = card.dataset.when === undefined ? null : Number(card.dataset.when);
      const started = card.dataset.status === "ready" || card.dataset.status === "in-scene";
      const isNow = started || (due !== null && now !== null && due <= now.time);
      card.dataset.nowLabel = isNow ? page.dataset.nowLabel : page.dataset.nextLabel;
    }
  }

  function two(n) {
    return String(n).padStart(2, "0");
  }

  // -- the clock: it runs here, from the anchor and speed the server sent ---------------------

  function formatTime(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const day = Math.floor(total / 86400);
    const rest = total % 86400;
    // the day prefix in the page's language (#clock's data-day, e.g. "Д%(day)s"), as the console
    const clock = document.getElementById("clock");
    const days = (clock && clock.dataset.day) || "D%(day)s";
    return `${days.replace("%(day)s", day + 1)} ${two(Math.floor(rest / 3600))}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
  }

  function tickClock() {
    const now = scenarioNow();
    const clock = document.getElementById("clock");
    const time = clock && clock.querySelector(".clock-time");
    if (!now || !time || now.phase === "planned") return;
    const text = formatTime(now.time);
    if (time.textContent !== text) time.textContent = text;
    const page = root();
    if (page) page.dataset.phase = now.phase;
  }

  function show(box, state, label, value, card) {
    const where = card ? card.querySelectorAll(".cue-facts dd")[1] : null;
    box.dataset.state = state;
    box.querySelector(".countdown-label").textContent = label;
    box.querySelector("strong").textContent = value;
    box.querySelector(".countdown-where").textContent = where ? where.textContent.trim() : "";
  }

  // The cue the countdown is about: the earliest one whose time has passed and that the
  // actor has not marked yet (overdue: they are late for it), else the next one to come.
  // A card whose time still moves (its team is on hold) is never overdue.
  const MARKED = new Set(["ready", "in-scene", "done"]); // what the actor reports on a cue

  function nextCue(now) {
    const timed = Array.from(document.querySelectorAll("#actor-cues .cue-card"))
      .filter((card) => card.dataset.when !== undefined && card.dataset.status !== "done")
      .filter((card) => card.closest(".cue-group").dataset.state !== "cancelled")
      .map((card) => ({ card, when: Number(card.dataset.when) }))
      .sort((a, b) => a.when - b.when);
    const overdue = timed.find((item) =>
      item.when <= now.time && !MARKED.has(item.card.dataset.status) && item.card.dataset.moving !== "true");
    if (overdue) return { ...overdue, overdue: true };
    const next = timed.find((item) => item.when > now.time);
    return next ? { ...next, overdue: false } : null;
  }

  function countdown() {
    const box = document.getElementById("countdown");
    if (!box) return;
    const now = scenarioNow();
    if (now && now.phase === "ended") return show(box, "ended", box.dataset.ended, "", null);
    if (!now || now.phase === "planned") return show(box, "planned", box.dataset.notStarted, "", null);
    const cue = nextCue(now);
    if (!cue) return show(box, "none", box.dataset.none, "", null);
    if (cue.overdue) {
      const minutes = Math.floor((now.time - cue.when) / now.speed / 60);
      const ago = minutes < 1 ? box.dataset.overdueJust : box.dataset.overdueAgo.replace("%(minutes)s", String(minutes));
      return show(box, "overdue", box.dataset.overdue, ago, cue.card);
    }
    // wall time until the cue, as the run sheet's "in" (clock.js): the same number
    const seconds = window.crClock.wallUntil(cue.when, now);
    show(box, "next", now.running ? box.dataset.next : box.dataset.held, window.crClock.duration(seconds), cue.card);
  }

  // -- wiring -------------------------------------------------------------------------------

  function refresh() {
    unread();
    tickClock();
    orderCues();
    countdown();
  }

  function tick() {
    tickClock();
    orderCues();
    countdown();
  }

  function start() {
    const page = root();
    if (!page) return;
    refresh();
    document.addEventListener("cr:cards", refresh);
    document.addEventListener("htmx:after:swap", refresh);
    setInterval(tick, TICK_MS);
    setInterval(tickClock, CLOCK_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
