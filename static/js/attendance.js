// Progressive enhancement of the marking screen. Without JavaScript every part works as a
// plain form: "Everyone present" saves everyone present, the search box reloads the roster
// filtered by the server.
// - "Everyone present" ticks "present" for every household not marked yet, without a round
//   trip; the trainer then taps the exceptions and saves once. Each tick is announced as a
//   tap would be (a change event), so offline.js keeps it in the draft with its time. Until
//   this script has run the button is the plain form's (it saves everyone present at once);
//   once it has, the button is type="button" and never posts.
// - The search box filters the rows as one types (diacritics and case ignored, as the
//   server does); hidden rows stay in the form, so saving saves every row.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("all-present");
  if (button) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      for (const group of document.querySelectorAll(".roster fieldset")) {
        if (!group.querySelector("input[type=radio]:checked")) {
          const present = group.querySelector("input[value=present]");
          present.checked = true;
          present.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    });
    button.type = "button";
  }
  const fold = (text) =>
    text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .split(/\s+/).filter(Boolean).join(" ");
  const box = document.querySelector("input[data-filter]");
  if (!box || new URLSearchParams(location.search).get("q")) return;
  const rows = document.querySelectorAll(box.dataset.filter);
  const apply = () => {
    const wanted = fold(box.value);
    for (const row of rows) row.hidden = wanted !== "" && !row.dataset.search.includes(wanted);
  };
  box.addEventListener("input", apply);
  box.form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
});
