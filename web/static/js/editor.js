// The console's inject editor (web/templates/console/inject.html): the languages side by
// side; while writing, a warning when a text was changed in one language and not in
// another (teams reading that one would see the older text, marked as not yet updated).
// The server says the same after saving (InjectEdited.languages); this only says it sooner.
(() => {
  "use strict";
  const TEAM_TEXTS = ["title", "from", "body"]; // what teams read (notes are control's)

  function setup(form) {
    const warning = form.querySelector(".edit-warning");
    const sets = Array.from(form.querySelectorAll("fieldset[data-language]"));
    if (!warning || sets.length < 2) return;
    const fieldOf = (set, name) => set.querySelector(`[name="${name}.${set.dataset.language}"]`);
    const original = new Map();
    for (const set of sets) {
      for (const name of TEAM_TEXTS) {
        const field = fieldOf(set, name);
        if (field) original.set(field, field.value);
      }
    }
    const changed = (set) => TEAM_TEXTS.some((name) => {
      const field = fieldOf(set, name);
      return field && field.value !== original.get(field);
    });
    const check = () => {
      const done = sets.filter(changed);
      const left = sets.filter((set) => !changed(set));
      if (!done.length || !left.length) {
        warning.hidden = true;
        warning.textContent = "";
        for (const set of sets) set.classList.remove("left-behind");
        return;
      }
      const names = (list) => list.map((set) => set.dataset.languageName).join(", ");
      warning.textContent = form.dataset.warn
        .replaceAll("%(changed)s", names(done))
        .replaceAll("%(behind)s", names(left));
      warning.hidden = false;
      for (const set of sets) set.classList.toggle("left-behind", left.includes(set));
    };
    form.addEventListener("input", check);
  }

  function start() {
    for (const form of document.querySelectorAll("form[data-cr-editor]")) setup(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
