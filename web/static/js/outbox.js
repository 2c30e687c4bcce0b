/*
 * A device's outbox: every action a team, an actor or an observer takes, kept until the
 * server has it.
 * Design: docs/devices.md (the outbox); the frames: docs/protocol.md.
 *
 *   - an action is a button with `data-cr-action` (its message as JSON, without the id),
 *     the team's request form, or a reply to an inject (replies.js, through `crOutbox.queue`); it gets an id made here, shows as pending at once in
 *     #outbox, and is sent if the socket is open;
 *   - pending actions are kept in the page and in localStorage (key `cr-outbox:<scope>`,
 *     the #outbox element's data-scope), so a reload or a closed tab loses nothing;
 *     "Leave the exercise" wipes them;
 *   - every time the socket is live again (the `live` frame after a resume) the pending
 *     actions are sent again, oldest first: the server applies an id once and answers
 *     `{type: "done", action}` (shown "sent") or an `error` frame naming the action
 *     (shown "refused" with the server's reason, already in the device's language; an
 *     `unavailable` error keeps it pending and tries again);
 *   - every action remembers when it was taken and is sent with its age then (`age_ms`):
 *     measured on `performance.now()` (monotonic) while the page lives, on `Date.now()` for
 *     an action a reload restored from localStorage; the server makes it a time on its own
 *     clock, so a tap made offline counts when it was tapped, not when the wifi came back;
 *   - after ENDEX (#clock data-phase="ended") a new action is refused here at once, with
 *     the same reason the server gives.
 */
(() => {
  "use strict";

  const RETRY_MS = 3000;
  const PREFIX = "cr-outbox:";
  const KEEP_DONE = 8; // finished actions still listed on the page
  let connection = null;
  // {id, message, label, key, state: pending|sent|refused, reason, mono, wall}: `mono` is
  // performance.now() at the tap (this page only), `wall` Date.now() at the tap
  let items = [];
  let retryTimer = null;

  const box = () => document.getElementById("outbox");

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function storageKey() {
    const element = box();
    return element && element.dataset.scope ? PREFIX + element.dataset.scope : null;
  }

  function save() {
    const key = storageKey();
    if (!key) return;
    const pending = items.filter((item) => item.state === "pending");
    try {
      if (pending.length) localStorage.setItem(key, JSON.stringify(pending));
      else localStorage.removeItem(key);
    } catch (error) {
      /* storage full or off: the page still keeps them */
    }
  }

  function load() {
    const key = storageKey();
    if (!key) return;
    try {
      const kept = JSON.parse(localStorage.getItem(key) || "[]");
      if (Array.isArray(kept)) {
        // another page's performance.now() means nothing here: its wall time says the age
        items = kept
          .filter((item) => item && item.id && item.message)
          .map((item) => ({ ...item, mono: null }));
      }
    } catch (error) {
      items = [];
    }
  }

  function wipe() {
    try {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith(PREFIX)) localStorage.removeItem(key);
      }
    } catch (error) {
      /* nothing kept */
    }
    items = [];
  }

  // -- showing -----------------------------------------------------------------------------

  function stateText(item) {
    const element = box();
    if (!element) return item.state;
    if (item.state === "refused") return (element.dataset.refused || "%s").replace("%s", item.reason || "");
    return element.dataset[item.state] || item.state;
  }

  function render() {
    const element = box();
    if (!element) return;
    const list = element.querySelector("ol");
    const finished = items.filter((item) => item.state !== "pending");
    const shown = items.filter((item) => item.state === "pending" || finished.slice(-KEEP_DONE).includes(item));
    list.replaceChildren(
      ...shown
        .slice()
        .reverse()
        .map((item) => {
          const li = document.createElement("li");
          li.className = "outbox-item";
          li.dataset.action = item.id;
          li.dataset.state = item.state;
          li.dataset.type = item.message.type;
          const label = document.createElement("span");
          label.className = "outbox-label";
          label.textContent = item.label;
          const state = document.createElement("span");
          state.className = "outbox-state";
          state.textContent = stateText(item);
          li.append(label, " ", state);
          return li;
        })
    );
    element.hidden = shown.length === 0;
    // the buttons of a pending action say so (and are not pressed twice)
    for (const button of document.querySelectorAll("[data-cr-action]")) {
      const key = button.dataset.crAction;
      const waiting = items.some((item) => item.state === "pending" && item.key === key);
      button.toggleAttribute("aria-busy", waiting);
      if (waiting) button.dataset.outbox = "pending";
      else delete button.dataset.outbox;
    }
  }

  // -- sending -------------------------------------------------------------------------------

  function open() {
    const socket = connection && connection.socket;
    return Boolean(socket && socket.readyState === WebSocket.OPEN);
  }

  // How long ago the action was taken, in whole milliseconds (null: not known, e.g. kept
  // by an older page). Never negative: a wall clock set back counts as just now.
  function age(item) {
    let ms = null;
    if (typeof item.mono === "number") ms = performance.now() - item.mono;
    else if (typeof item.wall === "number") ms = Date.now() - item.wall;
    if (ms === null || !Number.isFinite(ms)) return null;
    return Math.max(0, Math.round(ms));
  }

  function wire(item) {
    const ms = age(item);
    const frame = { ...item.message, action: item.id };
    if (ms !== null) frame.age_ms = ms;
    return JSON.stringify(frame);
  }

  function send(item) {
    if (!open()) return false;
    connection.socket.send(wire(item));
    return true;
  }

  function flush() {
    for (const item of items) if (item.state === "pending") send(item);
  }

  function ended() {
    const clock = document.getElementById("clock");
    return Boolean(clock && clock.dataset.phase === "ended");
  }

  function queue(message, label, key) {
    const element = box();
    const item = {
      id: newId(),
      message,
      label,
      key: key || "",
      state: "pending",
      reason: "",
      mono: performance.now(),
      wall: Date.now(),
    };
    // after ENDEX, STOP and call still go, and observations (the debrief needs them)
    const stillAllowed = ["stop", "call", "observe", "withdraw"].includes(message.type);
    if (ended() && !stillAllowed) {
      item.state = "refused";
      item.reason = element ? element.dataset.ended || "" : "";
      items.push(item);
      render();
      return item;
    }
    const limit = element ? Number(element.dataset.maxBytes || 0) : 0;
    // the longest it can be on the wire: with the longest age
    const longest = { ...message, action: item.id, age_ms: Number.MAX_SAFE_INTEGER };
    const size = new TextEncoder().encode(JSON.stringify(longest)).length;
    if (limit && size > limit) {
      item.state = "refused";
      item.reason = element.dataset.tooLong || "";
      items.push(item);
      render();
      return item;
    }
    items.push(item);
    save();
    render();
    send(item);
    return item;
  }

  function settle(id, state, reason) {
    const item = items.find((candidate) => candidate.id === id);
    if (!item || item.state !== "pending") return;
    item.state = state;
    item.reason = reason || "";
    save();
    render();
    document.dispatchEvent(new CustomEvent("cr:outbox", { detail: { item } }));
  }

  function retrySoon() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      flush();
    }, RETRY_MS);
  }

  // -- wiring --------------------------------------------------------------------------------

  document.addEventListener("htmx:ws:after:connection", (event) => {
    connection = event.detail.connection;
  });

  document.addEventListener("htmx:ws:close", () => render());

  document.addEventListener("htmx:ws:after:message:incoming", (event) => {
    connection = event.detail.connection || connection;
    let frame;
    try {
      frame = JSON.parse(event.detail.message.data);
    } catch (error) {
      return;
    }
    if (frame.type === "live") flush();
    else if (frame.type === "done" && frame.action) settle(frame.action, "sent");
    else if (frame.type === "error" && frame.action) {
      if (frame.code === "unavailable") retrySoon();
      else settle(frame.action, "refused", frame.message);
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-cr-action]");
    if (!button) return;
    event.preventDefault();
    if (button.hasAttribute("aria-busy")) return; // already waiting to be sent
    let message;
    try {
      message = JSON.parse(button.dataset.crAction);
    } catch (error) {
      return;
    }
    if (message.type === "stop" || message.type === "call") {
      const current = document.querySelector("#actor-cues .cue-card.current");
      message.cue = current ? current.dataset.cue : null;
      message.team = current && current.dataset.team ? current.dataset.team : null;
    }
    queue(message, button.dataset.crLabel || button.textContent.trim(), button.dataset.crAction);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches && form.matches("form[data-leave]")) {
      const question = form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      wipe();
      return;
    }
    if (form.matches && form.matches("form[data-cr-observe]")) {
      event.preventDefault();
      observe(form);
      return;
    }
    if (!(form.matches && form.matches("form[data-cr-request]"))) return;
    event.preventDefault();
    const kind = form.elements.namedItem("kind").value || null;
    const text = form.elements.namedItem("text").value;
    const error = form.querySelector(".request-error");
    if (!kind && !text.trim()) {
      if (error) {
        error.textContent = form.dataset.empty || "";
        error.hidden = false;
      }
      return;
    }
    if (error) error.hidden = true;
    const select = form.elements.namedItem("kind");
    const title = kind ? select.options[select.selectedIndex].textContent.trim() : text.trim();
    const short = title.length > 60 ? `${title.slice(0, 60)}…` : title;
    queue({ type: "request", kind, text }, `${form.dataset.label || ""} ${short}`.trim());
    form.reset();
  }, true);

  // An observation (or, with `observation`, a correction of one): queued, then the form is
  // cleared (a correction's values were the form's defaults: they are cleared too).
  function observe(form) {
    const value = (name) => {
      const field = form.elements.namedItem(name);
      if (!field) return null;
      return field.value || null;
    };
    const error = form.querySelector(".observe-error");
    const text = form.elements.namedItem("text").value;
    if (!value("objective") || !text.trim()) {
      if (error) {
        error.textContent = form.dataset.empty || "";
        error.hidden = false;
      }
      return;
    }
    if (error) error.hidden = true;
    const rating = form.querySelector("input[name=rating]:checked");
    const number = value("observation");
    const message = {
      type: "observe",
      team: value("team"),
      objective: value("objective"),
      task: value("task"),
      rating: rating ? rating.value : null,
      inject: value("inject"),
      text,
      observation: number === null ? null : Number(number),
    };
    const short = text.trim().length > 60 ? `${text.trim().slice(0, 60)}…` : text.trim();
    const label = number === null ? form.dataset.label : form.dataset.correctionLabel;
    queue(message, `${label || ""} ${short}`.trim());
    for (const element of form.elements) {
      if (element.type === "hidden" && element.name === "observation") element.value = "";
      if (element.tagName === "TEXTAREA") element.defaultValue = "";
      if (element.type === "radio") element.defaultChecked = false;
      if (element.tagName === "SELECT") for (const option of element.options) option.defaultSelected = false;
    }
    form.reset();
    if (number !== null) {
      const title = document.getElementById("observe-title");
      if (title && form.dataset.newTitle) title.textContent = form.dataset.newTitle;
      const url = new URL(window.location.href);
      url.searchParams.delete("correct");
      window.history.replaceState(null, "", url.pathname + url.search);
    }
  }

  function start() {
    load();
    render();
  }

  // replies.js queues a team's reply (its files uploaded first) through the same outbox
  window.crOutbox = { queue };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
