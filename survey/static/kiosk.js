// Kiosk: attract screen, one question per screen, auto-advance, idle reset, neutral thanks.
// Answers are posted with fetch; a double tap or a resend carries the same idempotency key.
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root || !window.fetch) return;
  document.documentElement.classList.add("js");
  var form = document.getElementById("survey");
  var attract = document.getElementById("attract");
  var thanks = document.getElementById("thanks");
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var idleMs = Number(root.dataset.idle) * 1000;
  var thanksMs = Number(root.dataset.thanks) * 1000;
  var index = 0, idleTimer = null, sending = false;

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function anyLow() {
    return Array.prototype.some.call(form.querySelectorAll(".rating input:checked"), function (i) { return Number(i.value) <= 2; });
  }
  function show(i) {
    while (i < steps.length && steps[i].hasAttribute("data-when-low") && !anyLow()) i++;
    index = Math.min(i, steps.length - 1);
    steps.forEach(function (s, k) { s.classList.toggle("current", k === index); });
    var focusable = steps[index].querySelector("legend");
    if (focusable) { focusable.setAttribute("tabindex", "-1"); focusable.focus(); }
    armIdle();
  }
  function screen(which) {
    attract.hidden = which !== "attract";
    form.hidden = which !== "form";
    thanks.hidden = which !== "thanks";
  }
  function reset() {
    clearTimeout(idleTimer);
    form.reset();
    form.elements.idempotency_key.value = newKey();
    sending = false;
    if (root.dataset.locale !== "vi" && navigator.onLine) { location.replace(root.dataset.home + "?lang=vi"); return; }
    screen("attract");
  }
  function armIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(reset, idleMs);
  }
  function post(body, retried) {
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 400 && !retried) {
          // The page may have outlived its CSRF token: fetch a fresh one and send once more.
          return fetch(root.dataset.tokenUrl, { credentials: "same-origin" }).then(function (t) { return t.json(); })
            .then(function (t) { body.set("csrf_token", t.csrf_token); return post(body, true); });
        }
        return r;
      });
  }
  function submit(event) {
    event.preventDefault();
    if (sending) return;
    sending = true;
    clearTimeout(idleTimer);
    var body = new FormData(form);
    screen("thanks");
    post(body, false).catch(function () { /* kept by the offline queue when present */ })
      .then(function () { setTimeout(reset, thanksMs); });
  }

  document.getElementById("start").addEventListener("click", function () { screen("form"); show(0); });
  form.addEventListener("change", function (e) {
    if (e.target.type === "radio") setTimeout(function () { show(index + 1); }, 250);
    else armIdle();
  });
  form.addEventListener("input", armIdle);
  form.addEventListener("click", function (e) {
    if (e.target.hasAttribute("data-next")) show(index + 1);
  });
  form.addEventListener("submit", submit);
  window.addEventListener("pageshow", function (e) { if (e.persisted) reset(); });
  form.elements.idempotency_key.value = form.elements.idempotency_key.value || newKey();
  screen("attract");
})();
