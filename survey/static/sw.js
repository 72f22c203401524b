// Kiosk service worker: the kiosk page and its assets still load when the network is down, so the
// answers queued in the page's outbox survive a reload. Network first (fresh page and token when
// online), the cache when offline. Submissions (POST) and /kiosk/token never touch the cache.
var CACHE = "kiosk-v4";
// The page, then its assets; loaded at the first tap: the later steps' markup in each language the
// kiosk offers (templates/_languages.html), and the dossier step's kiosk-dossier.js.
var ASSETS = ["kiosk", "static/survey.min.css", "static/kiosk.min.js", "kiosk/steps/vi", "kiosk/steps/km",
  "kiosk/steps/en", "static/kiosk-dossier.min.js"]
  .map(function (path) { return new URL("../" + path, self.location).href; });

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET") return;
  var key = url.origin + url.pathname;
  if (ASSETS.indexOf(key) < 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { return c.put(key, copy); });
    }
    return response;
  }, function () {
    return caches.match(key).then(function (cached) { return cached || Response.error(); });
  }));
});
