/*
 * The actor's run sheet: the countdown to the next scene, and the scenes whose time has
 * come marked. Design: docs/devices.md, "The actor's run sheet".
 *
 * #run-sheet carries the exercise clock as actors see it as of its render (phase, scenario
 * time at a server wall time, speed, and the server's time then; a pause shows as "running":
 * control's business): the countdown runs here from it, so it goes on while the wifi is down. A new #run-sheet (refreshed by htmx) brings a new anchor.
 */
(() => {
  "use strict";

  const TICK_MS = 1000;
  const loadedAt = Date.now() / 1000;
  let skew = null; // server seconds minus this device's, from the first sheet seen

  const two = (n) => String(n).padStart(2, "0");

  function scenarioNow(sheet) {
    const d = sheet.dataset;
    if (skew === null) skew = Number(d.serverNow || loadedAt) - loadedAt;
    const base = Number(d.scenarioTime);
    if (d.phase !== "running") return { time: base, running: false };
    const elapsed = (Date.now() / 1000 + skew - Number(d.anchorWall)) * Number(d.speed || 1);
    return { time: base + Math.max(0, elapsed), running: true, speed: Number(d.speed || 1) };
  }

  function tick() {
    const sheet = document.getElementById("run-sheet");
    if (!sheet || sheet.dataset.phase === "planned") return;
    const now = scenarioNow(sheet);
    let next = null;
    for (const row of sheet.querySelectorAll("tr[data-when]")) {
      const when = Number(row.dataset.when);
      const due = when <= now.time;
      row.classList.toggle("due", due);
      if (!due && (next === null || when < next)) next = when;
    }
    const label = sheet.querySelector(".run-sheet-in");
    if (!label) return;
    if (next === null) {
      label.textContent = "";
      return;
    }
    const seconds = Math.max(0, Math.round((next - now.time) / (now.speed || 1)));
    const hours = Math.floor(seconds / 3600);
    const text = `${hours ? `${hours}:` : ""}${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
    label.textContent = [label.dataset.in || "", text].join(" ");
  }

  function start() {
    tick();
    setInterval(tick, TICK_MS);
    document.addEventListener("htmx:after:swap", tick);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
