/*
 * Control Room's side of the exercise socket, on top of htmx's hx-ws extension.
 * Protocol: docs/protocol.md.
 *
 * hx-ws opens the socket, reconnects with backoff and swaps frames that carry `content`.
 * This script adds what the protocol needs around that:
 *   - resume: on every (re)connect, send {type: "resume", epoch, last_seq}, starting from the
 *     page's own `data-cr-epoch` / `data-cr-seq` (the view the page was rendered with);
 *   - remember the epoch and seq of every event/snapshot frame shown;
 *   - receipts: confirm frames marked `receipt` with {type: "seen", seq} once swapped;
 *   - heartbeats: answer the server's pings, ping it too, and drop a silent socket;
 *   - reload the page on {type: "reload"} (at most once every 10 s: otherwise the snapshot
 *     frame that follows it is swapped in place);
 *   - show #offline-banner (text from its data-text) while the socket is down (closed, or
 *     dropped after three silent heartbeats) and as soon as the browser knows it is offline
 *     (navigator.onLine false, the `offline` event): a tablet off the wifi says so at once;
 *   - reconnect within 2 s (+-30% jitter) at most (hx-ws backs off up to a minute by
 *     default): back within 5 s of a restarted server's return, with room for a loaded
 *     laptop's handshake and resume; and at once when the browser says it is back online;
 *   - on close 4403 (the device was revoked): empty the page and the outbox's storage, and
 *     replace it (no history entry) by the socket element's data-cr-revoked address, or "/";
 *   - language: when one page has switched (the form marked data-cr-language; told once
 *     it comes back in the new language), the person's other open pages are told
 *     (BroadcastChannel): they ask their sockets for that language ({type: "language"}) and
 *     show their page's parts again from a fresh copy: no reload, the socket stays open.
 */
(() => {
  "use strict";

  const SEEN_DELAY_MS = 250;
  const RELOAD_GUARD_MS = 10000;
  const RECONNECT_MAX_DELAY_MS = 2000;
  const REVOKED = 4403;
  const streams = new WeakMap();
  const connections = new Set(); // hx-ws connections of this page

  // A tablet back on the wifi should not wait for a long backoff: at most 2.6 s between tries.
  if (window.htmx) {
    window.htmx.config.ws = { ...(window.htmx.config.ws || {}), reconnectMaxDelay: RECONNECT_MAX_DELAY_MS };
  }

  function stream(element) {
    let state = streams.get(element);
    if (!state) {
      state = {
        epoch: element.dataset.crEpoch || null,
        seq: Number(element.dataset.crSeq || 0),
        heartbeat: Number(element.dataset.crHeartbeat || 15),
        heard: Date.now(),
        pinger: null,
        seenTimer: null,
        seenSeq: 0,
      };
      streams.set(element, state);
    }
    return state;
  }

  function send(connection, message) {
    const socket = connection && connection.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  let socketDown = false; // the last socket event: closed (true) or opened (false)

  // Offline while the socket is down or the browser says it has no network.
  function banner(down) {
    if (down !== undefined) socketDown = down;
    const element = document.getElementById("offline-banner");
    if (!element) return;
    if (element.dataset.text) element.textContent = element.dataset.text;
    element.hidden = !(socketDown || navigator.onLine === false);
  }

  function jittered(seconds) {
    return seconds * 1000 * (0.8 + Math.random() * 0.4);
  }

  function startHeartbeat(state, connection) {
    stopHeartbeat(state);
    const beat = () => {
      const socket = connection.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - state.heard > state.heartbeat * 3000) {
        socket.close(); // silent for three beats: hx-ws reconnects, and we resume
        return;
      }
      send(connection, { type: "ping", t: Date.now() });
      state.pinger = setTimeout(beat, jittered(state.heartbeat));
    };
    state.pinger = setTimeout(beat, jittered(state.heartbeat));
  }

  function stopHeartbeat(state) {
    if (state.pinger) clearTimeout(state.pinger);
    state.pinger = null;
  }

  function confirmSeen(state, connection, seq) {
    state.seenSeq = Math.max(state.seenSeq, seq);
    if (state.seenTimer) return;
    state.seenTimer = setTimeout(() => {
      state.seenTimer = null;
      send(connection, { type: "seen", seq: state.seenSeq });
    }, SEEN_DELAY_MS);
  }

  function reload() {
    const last = Number(sessionStorage.getItem("cr-reloaded-at") || 0);
    if (Date.now() - last < RELOAD_GUARD_MS) return; // the snapshot frame will do
    sessionStorage.setItem("cr-reloaded-at", String(Date.now()));
    window.location.reload();
  }

  function revoked(element) {
    const main = document.getElementById("main");
    if (main) main.replaceChildren(); // nothing of the exercise stays on screen
    try {
      // nor in storage: the outbox's pending actions (outbox.js) die with the device
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith("cr-outbox:")) localStorage.removeItem(key);
      }
    } catch (error) {
      /* storage off: nothing kept */
    }
    const brand = document.querySelector(".brand"); // the site's name, in the page's language
    document.title = brand ? brand.textContent : "";
    window.location.replace(element.dataset.crRevoked || "/");
  }

  function reconnectNow() {
    // The browser is back online: do not wait for the backoff. hx-ws reconnects a closed
    // socket when the page becomes visible again; that is the one way in without its
    // private functions, so cancel the pending tries and tell it the page is visible.
    let waiting = false;
    for (const connection of connections) {
      const socket = connection.socket;
      if (socket && socket.readyState !== WebSocket.CLOSED) continue;
      if (connection.timer) clearTimeout(connection.timer);
      connection.attempt = 0;
      waiting = true;
    }
    if (waiting && !document.hidden) document.dispatchEvent(new Event("visibilitychange"));
  }

  window.addEventListener("online", () => {
    banner();
    reconnectNow();
  });
  window.addEventListener("offline", () => banner());
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => banner());
  else banner();

  const languages = "BroadcastChannel" in window ? new BroadcastChannel("cr-language") : null;

  // Parts of a page shown again, from the page fetched anew, when another page switched the
  // language (not the socket's element: its socket stays open and follows by itself).
  const FOLLOWING_PARTS = ["#main", ".console-nav", ".topbar-tools", ".viewer-badge", "title"];

  async function followLanguage(language) {
    for (const connection of connections) send(connection, { type: "language", language });
    const socketElement = document.querySelector("[hx-ws\\:connect]");
    const main = document.getElementById("main");
    if (!main || (socketElement && main.contains(socketElement))) return; // the view follows
    let response;
    try {
      response = await fetch(window.location.href, { credentials: "same-origin" });
    } catch (error) {
      return;
    }
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const selector of FOLLOWING_PARTS) {
      const now = document.querySelector(selector);
      const next = fresh.querySelector(selector);
      if (!now || !next) continue;
      now.replaceChildren(...Array.from(next.childNodes).map((node) => document.importNode(node, true)));
      if (window.htmx && now.nodeType === 1 && selector !== "title") window.htmx.process(now);
    }
    document.documentElement.lang = fresh.documentElement.lang || language;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!languages || !(form instanceof HTMLFormElement) || !("crLanguage" in form.dataset)) return;
    const chosen = event.submitter && event.submitter.value;
    // Told once the switch is done: the page comes back in the chosen language.
    if (chosen) sessionStorage.setItem("cr-language-switch", chosen);
  });

  const switched = sessionStorage.getItem("cr-language-switch");
  if (switched) {
    sessionStorage.removeItem("cr-language-switch");
    if (languages && document.documentElement.lang === switched) languages.postMessage({ language: switched });
  }

  if (languages) {
    languages.addEventListener("message", (event) => {
      const language = event.data && event.data.language;
      if (typeof language !== "string") return;
      followLanguage(language);
    });
  }

  document.addEventListener("htmx:ws:after:connection", (event) => {
    const state = stream(event.target);
    const connection = event.detail.connection;
    connections.add(connection);
    state.heard = Date.now();
    banner(false);
    send(connection, { type: "resume", epoch: state.epoch, last_seq: state.seq });
    startHeartbeat(state, connection);
  });

  document.addEventListener("htmx:ws:close", (event) => {
    const state = stream(event.target);
    stopHeartbeat(state);
    if (event.detail.code === REVOKED) {
      connections.delete(event.detail.connection);
      revoked(event.target);
      return;
    }
    if (event.detail.reason === "removed") connections.delete(event.detail.connection);
    banner(true);
  });

  document.addEventListener("htmx:ws:after:message:incoming", (event) => {
    const state = stream(event.target);
    const connection = event.detail.connection;
    state.heard = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.detail.message.data);
    } catch (error) {
      return;
    }
    switch (frame.type) {
      case "event":
      case "snapshot":
        state.epoch = frame.epoch;
        state.seq = frame.seq;
        if (frame.receipt) confirmSeen(state, connection, frame.seq);
        break;
      case "hello":
        if (frame.heartbeat) state.heartbeat = frame.heartbeat;
        break;
      case "ping":
        send(connection, { type: "pong", t: frame.t });
        break;
      case "reload":
        reload();
        break;
      case "error":
        console.warn("Control Room socket:", frame.code, frame.message);
        break;
    }
  });
})();
