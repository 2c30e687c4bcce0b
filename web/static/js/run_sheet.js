/*
 * The actor's run sheet: the countdown to the next scene, and the scenes whose time has
 * come marked. Design: docs/devices.md, "The actor's run sheet".
 *
 * #run-sheet carries the exercise clock as actors see it as of its render (phase, scenario
 * time at a server wall time, speed; a pause shows as "running": control's business): the
 * countdown runs here from it, so it goes on while the wifi is down. A new #run-sheet
 * (refreshed by htmx) brings a new anchor. "in" is wall time until the scene, computed as the
 * cue cards' "Next cue in" (clock.js: one computation, one skew); after ENDEX there is none.
 * A scene whose time has passed and that waits for the actor's mark (its row's
 * data-unmarked: not Ready, In scene or Done, its team not on hold) is overdue: the line
 * then says so in the cue cards' countdown's words ("Overdue, not marked yet. Due 3 min ago").
 */
(() => {
  "use strict";

  const TICK_MS = 1000;

  function tick() {
    const sheet = document.getElementById("run-sheet");
    if (!sheet || sheet.dataset.phase === "planned" || sheet.dataset.phase === "ended") return;
    const now = window.crClock.scenarioNow(sheet);
    let next = null;
    let overdue = null;
    for (const row of sheet.querySelectorAll("tr[data-when]")) {
      const when = Number(row.dataset.when);
      const due = when <= now.time;
      row.classList.toggle("due", due);
      // the cue cards' rule (devices.js, nextCue): past due, not marked, its time fixed
      const late = due && row.dataset.unmarked === "true";
      row.classList.toggle("overdue", late);
      if (late && (overdue === null || when < overdue.when)) overdue = { row, when };
      if (!due && (next === null || when < next.when)) next = { row, when };
    }
    const line = sheet.querySelector(".run-sheet-next[data-state]");
    const at = line && line.querySelector(".run-sheet-at");
    const label = line && line.querySelector(".run-sheet-in");
    if (!at || !label) return;
    const words = line.dataset;
    let state = "none";
    let lead = words.none || "";
    let text = "";
    if (overdue) {
      state = "overdue";
      lead = words.overdue || "";
      const minutes = Math.floor((now.time - overdue.when) / now.speed / 60);
      text = minutes < 1 ? words.overdueJust || "" : (words.overdueAgo || "").replace("%(minutes)s", String(minutes));
    } else if (next) {
      state = "next";
      const time = next.row.querySelector(".run-sheet-time");
      lead = (words.nextAt || "").replace("%(time)s", time ? time.textContent.trim() : "");
      const seconds = window.crClock.wallUntil(next.when, now);
      text = seconds === null ? "" : [words.in || "", window.crClock.duration(seconds)].join(" ");
    }
    if (line.dataset.state !== state) line.dataset.state = state;
    if (at.textContent !== lead) at.textContent = lead;
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
