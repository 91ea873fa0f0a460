// Keeps the pages working when the phone loses its signal. Every page works without this
// script (plain forms, sent at once); with it:
// - forms marked data-draft keep what is tapped on the phone (localStorage) and show it
//   again after a refresh or Back, until they are sent;
// - the service worker (/sw.js) is registered; "Khóa học của tôi" asks it to keep the
//   programme (data-offline-cache); a banner says when the phone is offline;
// - offline, a form marked data-offline is saved for the worker to send once back online,
//   and says so (the text of data-offline); the answer is shown when it comes.
(() => {
  const now = () => String(Date.now());

  // Drafts: the form's fields as last tapped, restored when the page opens again.
  const drafts = document.querySelectorAll("form[data-draft]");
  for (const form of drafts) {
    const key = `draft:${form.dataset.draft}`;
    // the drafts of this quiz's earlier draws were sent or replaced by this one: forgotten
    const family = form.dataset.draftFamily && `draft:${form.dataset.draftFamily}`;
    for (const old of Object.keys(localStorage)) {
      if (family && old.startsWith(family) && old !== key) localStorage.removeItem(old);
    }
    const saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved) restore(form, saved);
    form.addEventListener("change", (event) => {
      const name = event.target.name || "";
      // when each mark was tapped, by the phone's clock (sent along if sent late)
      if (form.hasAttribute("data-stamp") && name.startsWith("status-")) {
        field(form, `at-${name.slice(7)}`).value = now();
      }
      const fields = [...new FormData(form)].filter(([n]) => n !== "csrf_token");
      localStorage.setItem(key, JSON.stringify(fields));
    });
    // a marks draft stops at saving: the server's marks are the truth after that (a quiz
    // draft is kept by its draw: a quiz form shown again after a failed sending refills)
    if (form.hasAttribute("data-stamp")) {
      form.addEventListener("submit", () => localStorage.removeItem(key));
    }
  }

  function restore(form, fields) {
    const chosen = new Set(fields.map(([n, v]) => `${n}=${v}`));
    for (const input of form.querySelectorAll("input[type=radio], input[type=checkbox]")) {
      input.checked = chosen.has(`${input.name}=${input.value}`);
    }
    // the values the form was made against (a mark as it was shown) come back with it
    for (const [name, value] of fields) {
      const input = form.elements[name];
      if (!input || input.type === "hidden") field(form, name).value = value;
    }
  }

  function field(form, name) {
    let input = form.elements[name];
    if (!input) {
      input = Object.assign(document.createElement("input"), { type: "hidden", name });
      form.append(input);
    }
    return input;
  }

  for (const input of document.querySelectorAll("input[data-now]")) input.value = now();

  const worker = navigator.serviceWorker;
  if (!worker || !window.caches) return;
  worker.register("/sw.js");

  // Another household's pages, or any once staff or nobody is logged in, are forgotten.
  const household = document.documentElement.dataset.household;
  if (navigator.onLine && location.pathname !== "/offline") {
    caches.keys().then((keys) => {
      for (const key of keys) {
        if (key.startsWith("household-") && key !== `household-${household}`) caches.delete(key);
      }
    });
  }

  const list = document.querySelector("[data-offline-cache]");
  if (list && household) {
    const assets = [...document.querySelectorAll("link[href^='/static/'], script[src^='/static/']")]
      .map((element) => element.getAttribute("href") || element.getAttribute("src"));
    worker.ready.then((registration) => registration.active.postMessage({
      keep: {
        household,
        urls: list.dataset.offlineCache.split(" "),
        version: list.dataset.offlineVersion,
        assets,
      },
    }));
  }

  const banner = document.getElementById("offline-banner");
  const connection = () => {
    if (banner) banner.hidden = navigator.onLine;
    if (navigator.onLine) worker.ready.then((registration) => registration.active.postMessage("flush"));
  };
  addEventListener("online", connection);
  addEventListener("offline", connection);
  connection();

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.hasAttribute("data-offline") || navigator.onLine || !worker.controller) return;
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form, event.submitter));
    body.set("device_time", now()); // when it was done, by the phone's clock
    const box = await caches.open("outbox");
    const item = { url: form.action, body: body.toString(), page: location.pathname };
    await box.put(`/outbox/${now()}-${Math.random().toString(36).slice(2)}`,
      new Response(JSON.stringify(item)));
    const registration = await worker.ready;
    if (registration.sync) registration.sync.register("outbox").catch(() => {});
    let note = form.querySelector(".saved-offline");
    if (!note) {
      note = Object.assign(document.createElement("p"), { className: "result saved-offline" });
      note.setAttribute("role", "status");
      form.append(note);
    }
    note.textContent = form.dataset.offline;
  });

  // A saved form was sent: its answer (the result, the next lesson, the marks with any
  // conflict) replaces the page that saved it.
  worker.addEventListener("message", (event) => {
    for (const item of event.data.sent || []) {
      if (item.page !== location.pathname) continue;
      const answer = new DOMParser().parseFromString(item.html, "text/html");
      const main = answer.getElementById("main");
      if (!main) continue;
      document.getElementById("main").replaceWith(document.adoptNode(main));
      document.title = answer.title;
      history.replaceState(null, "", item.url);
    }
  });
})();
