/*
 * The actor's run sheet: the countdown to the next scene, and the scenes whose time has
 * come marked. Design: docs/devices.md, "The actor's run sheet".
 *
 * #run-sheet carries the exercise clock as actors see it as of its render (phase, scenario
 * time at a server wall time, speed; a pause shows as "running": control's business): the
 * countdown runs here from it, so it goes on while the wifi is down. A new #run-sheet
 * (refreshed by htmx) brings a new anchor. "in" is wall time until the scene, computed as the
 * cue cards' "Next cue in" (clock.js: one computation, one skew); after ENDEX there is none.
 */
(() => {
  "use strict";

  const TICK_MS = 1000;

  function tick() {
    const sheet = document.getElementById("run-sheet");
    if (!sheet || sheet.dataset.phase === "planned") return;
    const now = window.crClock.scenarioNow(sheet);
    let next = null;
    for (const row of sheet.querySelectorAll("tr[data-when]")) {
      const when = Number(row.dataset.when);
      const due = when <= now.time;
      row.classList.toggle("due", due);
      if (!due && (next === null || when < next)) next = when;
    }
    const label = sheet.querySelector(".run-sheet-in");
    if (!label) return;
    const seconds = next === null ? null : window.crClock.wallUntil(next, now);
    const text = seconds === null ? "" : [label.dataset.in || "", window.crClock.duration(seconds)].join(" ");
    if (label.textContent !== text) label.textContent = text;
  }

  function start() {
    tick();
    setInterval(tick, TICK_MS);
    document.addEventListener("htmx:after:swap", tick);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
