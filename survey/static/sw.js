// Kiosk service worker: the kiosk page and its assets still load when the network is down, so the
// answers queued in the page's outbox survive a reload. Network first (fresh page and token when
// online), the cache when offline. Submissions (POST) and /kiosk/token never touch the cache.
var CACHE = "kiosk-v2";
var PAGE = new URL("../kiosk", self.location).href;
var ASSETS = [PAGE, new URL("../static/survey.min.css", self.location).href, new URL("../static/kiosk.min.js", self.location).href];

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
  var key = url.origin + url.pathname === PAGE ? PAGE : ASSETS.indexOf(url.origin + url.pathname) > 0 ? url.origin + url.pathname : null;
  if (!key) return;
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
