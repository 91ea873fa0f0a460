// Progressive enhancement of the marking screen: "Everyone present" ticks "present" for
// every household not marked yet, without a round trip; the trainer then taps the
// exceptions and saves once. Without JavaScript the same button saves everyone present.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("all-present");
  if (!button) return;
  button.addEventListener("click", (event) => {
    event.preventDefault();
    for (const group of document.querySelectorAll(".roster fieldset")) {
      if (!group.querySelector("input[type=radio]:checked")) {
        group.querySelector("input[value=present]").checked = true;
      }
    }
  });
});
