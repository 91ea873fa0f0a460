// The product's service worker (served from /sw.js, so its scope is the whole site).
// - Keeps a household's programme for reading offline: the pages its "Khóa học của tôi"
//   lists (lessons, quizzes), their images, the static files and an offline page. Nothing
//   else is kept: staff pages and other households' data never enter a cache.
// - Pages come from the network first; offline, the kept copy or the offline page.
// - Sends the forms saved offline (static/js/offline.js) once back online, in order, on
//   Background Sync or when a page asks; the server takes a form sent twice once.
const STATIC = "static"; // content-hashed static files and the offline page: no personal data
const OUTBOX = "outbox"; // forms saved offline, one entry each, sent oldest first
const HOUSEHOLD = "household-"; // + the household's id: the pages of its programme
const VERSION = "/offline-version"; // the entry that says which course versions are kept

self.addEventListener("install", (event) => {
  // fetched without cookies: the offline page shows nobody's name
  const page = new Request("/offline", { credentials: "omit" });
  event.waitUntil(caches.open(STATIC).then((cache) => cache.add(page)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/learn/media/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});

async function cacheFirst(request) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith("/static/")) {
    const cache = await caches.open(STATIC);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    // a kept page read online is kept as it now is
    const cache = await householdCache();
    if (cache && response.ok && !response.redirected && (await cache.match(request))) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (offline) {
    const kept = (await caches.match(request)) || (await caches.match("/offline"));
    return kept || new Response("Offline", { status: 503 });
  }
}

async function householdCache() {
  const name = (await caches.keys()).find((key) => key.startsWith(HOUSEHOLD));
  return name ? caches.open(name) : null;
}

// Keep the household's programme: {household, urls, version, assets}, sent by the page
// "Khóa học của tôi". Lessons are fetched again only when the course versions changed;
// quizzes (a new draw after each attempt) and the list itself every time.
async function keep({ household, urls, version, assets }) {
  const name = HOUSEHOLD + household;
  for (const key of await caches.keys()) {
    if (key.startsWith(HOUSEHOLD) && key !== name) await caches.delete(key);
  }
  const cache = await caches.open(name);
  const kept = await cache.match(VERSION);
  const same = kept && (await kept.text()) === version;
  for (const url of urls) {
    const lesson = /\/\d+$/.test(url);
    if (lesson && same && (await cache.match(url))) continue;
    // the header tells the server that nobody reads the page yet: no reading clock starts
    const response = await fetch(url, { headers: { "X-Offline-Cache": "1" } });
    if (!response.ok || response.redirected) continue;
    const html = await response.clone().text();
    await cache.put(url, response);
    for (const [, image] of html.matchAll(/src="(\/learn\/media\/[^"]+)"/g)) {
      if (!(await cache.match(image))) await cache.add(image);
    }
  }
  const files = await caches.open(STATIC);
  for (const asset of assets) if (!(await files.match(asset))) await files.add(asset);
  await cache.put(VERSION, new Response(version)); // last: the programme is all kept
}

// Send the saved forms, one at a time; still offline, the rest wait. Each answer goes to
// the open pages, which show it in place of the form that was saved.
let sending = Promise.resolve();
function flush() {
  sending = sending.then(send, send);
  return sending;
}

async function send() {
  const box = await caches.open(OUTBOX);
  const sent = [];
  for (const key of await box.keys()) {
    const item = await (await box.match(key)).json();
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        // when it is sent, by the phone's clock: the server places the phone's times by it
        body: `${item.body}&sent_at=${Date.now()}`,
      });
    } catch (offline) {
      break;
    }
    await box.delete(key);
    sent.push({ page: item.page, url: response.url, html: await response.text() });
  }
  if (!sent.length) return;
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ sent });
}

self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX) event.waitUntil(flush());
});

self.addEventListener("message", (event) => {
  if (event.data === "flush") event.waitUntil(flush());
  else if (event.data && event.data.keep) event.waitUntil(keep(event.data.keep));
});
