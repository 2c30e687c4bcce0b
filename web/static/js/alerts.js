/*
 * Alerts on a team's dashboard and an actor's tablet: a sound (WebAudio), a vibration and a
 * visible banner when an inject arrives or changes, or a cue card is new or changed.
 * Design: docs/devices.md.
 *
 * Cards are watched in the DOM, whatever put them there (the first render, a live frame, a
 * replay after a reconnect, a snapshot): every `.inject-card` and `.cue-card` has an id and
 * a signature (an inject's version; a cue's facts, time and state). A card whose id is new
 * or whose signature changed alerts; a status change (acknowledged, ready...) does not.
 * Nothing is stored: the signatures live in this page's memory only.
 *
 * Browsers only play sound and vibrate after the user touched the page: the first tap
 * anywhere (or the sound button) unlocks both.
 */
(() => {
  "use strict";

  const WATCHED = ".inject-card, .cue-card";
  const SETTLE_MS = 60;
  const BANNER_MS = 20000;
  const signatures = new Map();
  let audio = null;
  let soundOn = true;
  let bannerTimer = null;
  let scanTimer = null;

  // STARTEX turns every planned cue group into a scheduled one: not news for the actor.
  const SAME_STATE = { planned: "scheduled" };

  function signature(card) {
    if (card.classList.contains("inject-card")) return card.dataset.version || "";
    const group = card.closest(".cue-group");
    const facts = card.querySelector(".cue-facts");
    const state = group ? group.dataset.state || "" : "";
    return [
      SAME_STATE[state] || state,
      group ? group.dataset.due || "" : "",
      card.dataset.when || "",
      facts ? facts.textContent.replace(/\s+/g, " ").trim() : "",
    ].join("|");
  }

  function title(card) {
    const heading = card.querySelector(".inject-title, h3");
    const text = heading ? heading.textContent.trim() : "";
    const where = card.querySelectorAll(".cue-facts dd")[1]; // a cue: When, then Where
    return where ? `${text} \u2014 ${where.textContent.trim()}` : text;
  }

  // -- sound and vibration ----------------------------------------------------------------

  function audioContext() {
    if (!audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      audio = new Context();
    }
    return audio;
  }

  function unlock() {
    const context = audioContext();
    if (context && context.state === "suspended") context.resume().then(showSound, showSound);
    else showSound();
  }

  function chime(notes) {
    const context = audioContext();
    if (!soundOn || !context || context.state !== "running") return false;
    let at = context.currentTime + 0.02;
    for (const [frequency, length] of notes) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + length + 0.02);
      at += length + 0.06;
    }
    return true;
  }

  function vibrate(pattern) {
    try {
      return Boolean(navigator.vibrate && navigator.vibrate(pattern));
    } catch (error) {
      return false;
    }
  }

  function showSound() {
    const button = document.getElementById("sound-toggle");
    if (!button) return;
    const context = audio;
    const locked = !context || context.state !== "running";
    button.setAttribute("aria-pressed", String(soundOn && !locked));
    button.classList.toggle("sound-off", !soundOn || locked);
    // The button holds its three labels in one grid cell (web/templates/join/_device_bar.html)
    // and shows one: its width never changes, so the tap that unlocks sound moves nothing.
    button.dataset.state = !soundOn ? "off" : locked ? "locked" : "on";
  }

  // -- the visible alert --------------------------------------------------------------------

  function banner(text, target) {
    const element = document.getElementById("alert-banner");
    if (!element) return;
    element.textContent = text;
    element.hidden = false;
    element.classList.remove("flash");
    void element.offsetWidth; // restart the animation
    element.classList.add("flash");
    element.onclick = () => {
      element.hidden = true;
      const card = target && document.getElementById(target);
      if (card) card.scrollIntoView({ behavior: "smooth", block: "start" });
    };
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(() => { element.hidden = true; }, BANNER_MS);
  }

  function alertFor(fresh, changed) {
    const all = fresh.concat(changed);
    const first = all[0];
    const element = document.getElementById("alert-banner");
    const labels = element ? element.dataset : {};
    const isCue = first.classList.contains("cue-card");
    let label = isCue ? labels.newCue : labels.newInject;
    if (!fresh.length) label = isCue ? labels.changedCue : labels.changedInject;
    let text = `${label || ""}: ${title(first)}`;
    if (all.length > 1) text += ` (+${all.length - 1})`;
    for (const card of changed) {
      card.classList.remove("changed");
      void card.offsetWidth;
      card.classList.add("changed");
    }
    banner(text, first.id);
    const played = chime(isCue ? [[660, 0.16], [660, 0.16], [880, 0.3]] : [[880, 0.18], [1320, 0.35]]);
    const shook = vibrate(isCue ? [300, 120, 300, 120, 300] : [250, 120, 250]);
    document.dispatchEvent(
      new CustomEvent("cr:alert", { detail: { text, played, shook, count: all.length } })
    );
  }

  // -- watching the cards -------------------------------------------------------------------

  function scan(initial) {
    const fresh = [];
    const changed = [];
    for (const card of document.querySelectorAll(WATCHED)) {
      if (!card.id) continue;
      const now = signature(card);
      const before = signatures.get(card.id);
      if (before === undefined) fresh.push(card);
      else if (before !== now) changed.push(card);
      signatures.set(card.id, now);
    }
    if (!initial && (fresh.length || changed.length)) alertFor(fresh, changed);
    document.dispatchEvent(new CustomEvent("cr:cards"));
  }

  function schedule() {
    if (scanTimer) return;
    scanTimer = setTimeout(() => {
      scanTimer = null;
      scan(false);
    }, SETTLE_MS);
  }

  function start() {
    scan(true);
    const root = document.getElementById("main") || document.body;
    new MutationObserver(schedule).observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-version", "data-due", "data-state", "data-when"],
    });
    const button = document.getElementById("sound-toggle");
    if (button) {
      button.addEventListener("click", (event) => {
        event.stopPropagation();
        const context = audioContext();
        if (context && context.state !== "running") {
          soundOn = true;
          unlock();
          chime([[880, 0.12]]);
          return;
        }
        soundOn = !soundOn;
        showSound();
        if (soundOn) chime([[880, 0.12]]);
      });
    }
    document.addEventListener("pointerdown", unlock, { capture: true });
    document.addEventListener("keydown", unlock, { capture: true });
    showSound();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
