/*
 * A team's reply to an inject: files uploaded as they are picked, the reply through the outbox.
 * Design: docs/devices.md ("Replies"); the upload's rules: docs/security.md.
 *
 *   - each file picked in `form[data-cr-reply]` is posted at once (multipart, the CSRF token
 *     in X-CSRF-Token) to the form's data-upload; the server checks it by its content and
 *     answers its id, or why it refused it (shown next to the file, in the device's
 *     language); when the wifi is down the upload is tried again every few seconds;
 *   - Send queues `{type: "reply", inject, kind, text, files: [ids]}` in the outbox
 *     (outbox.js): kept on the device, sent when the socket is live, applied once. Send
 *     waits while a file is still uploading.
 *   - The form's own action (one multipart post of text and files) is what a page without
 *     JavaScript uses.
 */
(() => {
  "use strict";

  const RETRY_MS = 3000;
  let uploads = []; // {key, name, state: uploading|retrying|ready|refused, id, reason}

  const formOf = (element) => element && element.closest && element.closest("form[data-cr-reply]");

  function csrf(form) {
    const field = form.elements.namedItem("csrf");
    return field ? field.value : "";
  }

  function render(form) {
    const list = form.querySelector(".upload-list");
    if (!list) return;
    list.replaceChildren(
      ...uploads.map((item) => {
        const li = document.createElement("li");
        li.dataset.state = item.state;
        li.dataset.file = item.id || "";
        const name = document.createElement("span");
        name.className = "upload-name";
        name.textContent = item.name;
        const state = document.createElement("span");
        state.className = "upload-state";
        state.textContent =
          item.state === "refused"
            ? item.reason
            : form.dataset[item.state === "ready" ? "uploaded" : item.state] || item.state;
        li.append(name, " — ", state);
        if (item.state !== "uploading") {
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "link upload-remove";
          const label = form.dataset.remove || "";
          remove.textContent = label;
          remove.setAttribute("aria-label", [label, item.name].join(" "));
          remove.addEventListener("click", () => {
            uploads = uploads.filter((other) => other !== item);
            render(form);
          });
          li.append(" ", remove);
        }
        return li;
      })
    );
    const busy = uploads.some((item) => item.state === "uploading" || item.state === "retrying");
    form.querySelector("button[type=submit]").toggleAttribute("aria-busy", busy);
  }

  async function upload(form, file, item) {
    const body = new FormData();
    body.append("file", file, file.name);
    item.state = "uploading";
    render(form);
    let response;
    try {
      response = await fetch(form.dataset.upload, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(form) },
      });
    } catch (error) {
      item.state = "retrying"; // the wifi dropped: the same file again, soon
      render(form);
      setTimeout(() => {
        if (uploads.includes(item)) upload(form, file, item);
      }, RETRY_MS);
      return;
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    if (response.status === 201 && answer.id) {
      item.state = "ready";
      item.id = answer.id;
      item.name = answer.name || item.name;
    } else if (response.status >= 500) {
      item.state = "retrying";
      setTimeout(() => {
        if (uploads.includes(item)) upload(form, file, item);
      }, RETRY_MS);
    } else {
      item.state = "refused";
      item.reason = answer.error || String(response.status);
    }
    render(form);
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    const form = formOf(input);
    if (!form || input.type !== "file") return;
    const most = Number(form.dataset.maxFiles || 5);
    for (const file of Array.from(input.files || [])) {
      const item = { key: `${file.name}:${file.size}:${file.lastModified}`, name: file.name, state: "uploading" };
      if (uploads.filter((other) => other.state !== "refused").length >= most) {
        item.state = "refused";
        item.reason = form.dataset.tooMany || "";
        uploads.push(item);
        continue;
      }
      uploads.push(item);
      upload(form, file, item);
    }
    input.value = ""; // picked again later: uploaded again (the server keeps one copy)
    render(form);
  });

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form.matches && form.matches("form[data-cr-reply]")) || !window.crOutbox) return;
      event.preventDefault();
      const error = form.querySelector(".reply-error");
      if (form.querySelector("button[type=submit]").hasAttribute("aria-busy")) {
        if (error) {
          error.textContent = form.dataset.uploading || "";
          error.hidden = false;
        }
        return;
      }
      const text = form.elements.namedItem("text").value;
      const checked = form.querySelector("input[name=kind]:checked");
      const kind = checked ? checked.value : "reply";
      const files = uploads.filter((item) => item.state === "ready").map((item) => item.id);
      if (!text.trim() && !files.length) {
        if (error) {
          error.textContent = form.dataset.empty || "";
          error.hidden = false;
        }
        return;
      }
      if (error) error.hidden = true;
      const short = text.trim().length > 60 ? `${text.trim().slice(0, 60)}…` : text.trim();
      const names = uploads.filter((item) => item.state === "ready").map((item) => item.name);
      const label = `${form.dataset.label || ""} ${short || names.join(", ")}`.trim();
      window.crOutbox.queue({ type: "reply", inject: form.dataset.inject, kind, text, files }, label);
      form.reset();
      uploads = [];
      render(form);
    },
    true
  );
})();
