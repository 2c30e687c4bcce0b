/*
 * An observer's page (web/templates/observe/page.html). Design: docs/devices.md ("Observers").
 *
 *   - the task list shows only the tasks of the chosen objective; the inject list only the
 *     injects released to the chosen team (every inject for an observation about control);
 *     the server checks both again;
 *   - when a frame arrives on the socket (something happened), the observer's list and the
 *     inject list are fetched again in one request (?part=live: the options, then the list;
 *     frames coming together are one fetch, 200 ms after the last), keeping what is chosen;
 *   - saving goes through the outbox (outbox.js: form[data-cr-observe]), which clears the form.
 */
(() => {
  "use strict";

  const form = () => document.getElementById("observe-form");

  function filterTasks() {
    const f = form();
    if (!f) return;
    const objective = f.elements.namedItem("objective").value;
    const task = f.elements.namedItem("task");
    for (const option of task.options) {
      if (!option.value) continue;
      const fits = Boolean(objective) && option.dataset.objective === objective;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) task.value = "";
    }
  }

  function filterInjects() {
    const f = form();
    if (!f) return;
    const team = f.elements.namedItem("team").value;
    const inject = f.elements.namedItem("inject");
    for (const option of inject.options) {
      if (!option.value) continue;
      const teams = (option.dataset.teams || "").split(" ").filter(Boolean);
      const fits = team ? teams.includes(team) : true;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) inject.value = "";
    }
  }

  function filter() {
    filterTasks();
    filterInjects();
  }

  // the inject options and the observer's list, in one request (?part=live): options first
  async function fetchLive() {
    const base = window.location.pathname;
    const response = await fetch(`${base}?part=live`, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (!response.ok) return null;
    const parsed = document.createElement("template");
    parsed.innerHTML = await response.text();
    return parsed.content;
  }

  let timer = null;
  function refreshSoon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  async function refresh() {
    try {
      const live = await fetchLive();
      const fresh = live && live.querySelector("#my-observations");
      const list = document.getElementById("my-observations");
      if (fresh && list) list.replaceWith(fresh);
      const options = live ? [...live.children].filter((node) => node.tagName === "OPTION") : [];
      const select = document.getElementById("observe-inject");
      if (options.length && select) {
        const chosen = select.value;
        select.replaceChildren(...options);
        select.value = chosen;
        if (select.value !== chosen) select.value = "";
        filterInjects();
      }
    } catch (error) {
      /* offline: the page keeps what it has */
    }
    document.dispatchEvent(new CustomEvent("cr:observe-refreshed"));
  }

  document.addEventListener("change", (event) => {
    const f = form();
    if (f && event.target.form === f) filter();
  });
  document.addEventListener("reset", (event) => {
    if (event.target === form()) setTimeout(filter, 0);
  });
  document.addEventListener("htmx:ws:after:message:incoming", (event) => {
    const data = event.detail && event.detail.message && event.detail.message.data;
    if (typeof data !== "string" || data.indexOf('"type":"event"') === -1) return;
    refreshSoon();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", filter);
  else filter();
})();
