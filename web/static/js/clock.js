/*
 * The device pages' one clock computation (window.crClock), used by devices.js (the clock,
 * the actor's "Next cue in") and run_sheet.js (the run sheet's "in"). Design: docs/devices.md.
 *
 *   - the server's time: this device's time plus the skew measured once, from the page's
 *     data-server-now (the first element that has one) and when the response began to
 *     arrive (not "now", which would count the page's loading time as skew);
 *   - scenario time from a clock's data (an element's dataset: phase, scenario time at a
 *     server wall time, speed): it runs while scenario time runs: phase "running", or a
 *     clock marked data-ticking (control's and observers' clock: a pause of the releases
 *     runs too);
 *   - a countdown in wall time: how long until the scenario time comes, at the clock's
 *     speed (what an actor needs: how long until I must be there). None after ENDEX.
 */
(() => {
  "use strict";

  const two = (n) => String(n).padStart(2, "0");

  function receivedAt() {
    const navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (navigation && navigation.responseStart > 0) {
      return (performance.timeOrigin + navigation.responseStart) / 1000;
    }
    return Date.now() / 1000;
  }

  let skew = null; // server seconds minus this device's seconds

  function measure() {
    const element = document.querySelector("[data-server-now]");
    const serverAt = element ? Number(element.dataset.serverNow || 0) : 0;
    skew = serverAt ? serverAt - receivedAt() : 0;
  }

  function serverNow() {
    if (skew === null) measure();
    return Date.now() / 1000 + skew;
  }

  function ticking(element) {
    return element.dataset.phase === "running" || element.hasAttribute("data-ticking");
  }

  // {time, running, phase, speed}: the scenario time now on the clock ``element`` carries.
  function scenarioNow(element) {
    const data = element.dataset;
    const base = Number(data.scenarioTime);
    const speed = Number(data.speed || 1) || 1;
    if (!ticking(element)) return { time: base, running: false, phase: data.phase, speed };
    const elapsed = Math.max(0, serverNow() - Number(data.anchorWall)) * speed;
    return { time: base + elapsed, running: true, phase: data.phase, speed };
  }

  // Wall seconds until scenario time ``when`` on the clock ``now`` (scenarioNow's), or null
  // when there is nothing to count (before STARTEX, after ENDEX).
  function wallUntil(when, now) {
    if (!now || now.phase === "ended" || now.phase === "planned") return null;
    return Math.max(0, Math.round((when - now.time) / now.speed));
  }

  function duration(seconds) {
    const hours = Math.floor(seconds / 3600);
    return `${hours ? `${hours}:` : ""}${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", measure);
  else measure();

  window.crClock = { serverNow, scenarioNow, wallUntil, duration };
})();
