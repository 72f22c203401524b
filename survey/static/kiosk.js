// Kiosk: attract screen, one question per screen, auto-advance with a way back, neutral thanks.
// Left idle, the answers are recorded (marked partial) if the overall question was answered.
// On the attract screen it polls for a desk session (the dossier just served) to greet with.
// Every submission goes to an outbox (IndexedDB) first, then to the server, so an answer given while
// the network is down is sent when it returns. Each carries its idempotency key: a resend is harmless.
// The later steps (what went wrong, the dossier code, respondent type, comment) come at the first tap;
// an optional one takes the receipt's dossier code (kiosk-dossier.js).
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  var root = $("kiosk");
  if (!root || !window.fetch) return;
  var data = root.dataset;
  document.documentElement.classList.add("js");
  var form = $("survey");
  var attract = $("attract");
  var thanks = $("thanks");
  var steps = [].slice.call(form.querySelectorAll(".step"));
  var idleMs = Number(data.idle) * 1000;
  var thanksMs = Number(data.thanks) * 1000;
  var index = 0, idleTimer = null, sending = false, advance = null;
  // "Previous question": one button, moved into the current step; an answer can always be fixed.
  var prev = document.createElement("button");
  prev.type = "button"; prev.className = "prev link-button"; prev.textContent = data.prev;
  var used = {}, shown = null, thanksTimer = null, service = $("service-step"), greeting = $("greeting");

  // --- Outbox: IndexedDB, or memory where IndexedDB is unavailable -------------------------------
  var memory = {}, dbp = new Promise(function (resolve) {
    var open;
    try { open = indexedDB.open("kiosk", 1); } catch (e) { return resolve(null); }
    open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "key" }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { resolve(null); };
  });
  function store(mode, work) {
    return dbp.then(function (idb) {
      if (!idb) return work(null);
      return new Promise(function (resolve, reject) {
        var tx = idb.transaction("outbox", mode), result = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function keep(item) { return store("readwrite", function (s) { return s ? s.put(item) : (memory[item.key] = item, null); }); }
  function drop(key) { delete memory[key]; return store("readwrite", function (s) { return s ? s.delete(key) : null; }); }
  function pending() {
    return store("readonly", function (s) { return s ? s.getAll() : null; }).catch(function () { return null; })
      .then(function (items) { return (items || []).concat(Object.keys(memory).map(function (k) { return memory[k]; })); });
  }

  var flushing = null, again = false, reported = null;
  var warnMs = Number(data.warn) * 1000, mark = $("waiting");
  function send(item, token) {
    var body = new URLSearchParams(item.fields);
    body.set("csrf_token", token);
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        // Only the server's own answer counts: a captive portal's "200 OK" page is not a receipt.
        return r.json().then(function (j) {
          if (j.complaint_ref && item.key === shown) showRef(j.complaint_ref);
          if (r.ok && /^(recorded|duplicate|dossier_used)$/.test(j.status)) return drop(item.key);
          // Invalid for good: resending cannot help, but it is kept (and counted as waiting)
          // until an administrator discards it.
          if (j.status === "rejected") { item.held = true; return keep(item); }
          throw new Error("retry later");
        });
      });
  }
  function report(items) {
    var oldest = items.reduce(function (m, i) { return Math.min(m, i.at || Date.now()); }, Date.now());
    var url = data.tokenUrl + "?waiting=" + items.length + (items.length ? "&oldest=" + oldest : "");
    reported = items.length;
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); });
  }
  function showWaiting(items) {
    // The desk officer's mark: answers that have waited too long to be sent (offline, refused).
    var late = items.filter(function (i) { return Date.now() - (i.at || 0) >= warnMs; });
    mark.hidden = !late.length;
    mark.textContent = mark.dataset.label.replace("{n}", String(items.length));
  }
  function flush() {
    if (flushing) { again = true; return flushing; }
    flushing = pending().then(function (items) {
      if (!items.length && reported === 0) return;
      // A fresh CSRF token (the page may be hours old, or loaded from the offline cache); the
      // request also tells the server how many answers wait here.
      return report(items).then(function (t) {
        var keepers = items.filter(function (i) {
          return !(i.held && t.discard_before && (i.at || 0) < t.discard_before);
        });
        return Promise.all(items.filter(function (i) { return keepers.indexOf(i) < 0; }).map(function (i) { return drop(i.key); }))
          .then(function () {
            return keepers.filter(function (i) { return !i.held; })
              .reduce(function (p, item) { return p.then(function () { return send(item, t.csrf_token); }); }, Promise.resolve());
          })
          .then(pending).then(function (left) { if (left.length !== reported) return report(left); });
      });
    }).catch(function () { /* offline or server busy: the next flush sends it */ })
      .then(pending).then(showWaiting)
      .then(function () { flushing = null; if (again) { again = false; flush(); } });
    return flushing;
  }

  // --- Screens -------------------------------------------------------------------------------------
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [].map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function anyLow() {
    return [].some.call(form.querySelectorAll(".rating input:checked"), function (i) { return Number(i.value) <= 2; });
  }
  function skipped(s) { return s.disabled || (s.hasAttribute("data-when-low") && !anyLow()); }
  function show(i, back) {
    while (i >= 0 && i < steps.length - 1 && skipped(steps[i])) i += back ? -1 : 1;
    if (i < 0) return show(0);
    if (i >= steps.length && !dossier) return finish(i);
    if (step) step.stop();
    index = Math.min(i, steps.length - 1);
    steps.forEach(function (s, k) { s.classList.toggle("current", k === index); });
    var first = steps.findIndex(function (s) { return !s.disabled; });
    prev.hidden = index <= first;
    steps[index].appendChild(prev);
    var legend = steps[index].querySelector("legend");
    if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
    armIdle();
  }
  function screen(which) {
    attract.hidden = which !== "attract";
    form.hidden = which !== "form";
    thanks.hidden = which !== "thanks";
  }
  function reset() {
    clearTimeout(idleTimer); clearTimeout(thanksTimer);
    if (step) step.reset();
    form.reset();
    // Always a fresh key, made here: a page served from the offline cache repeats its old one.
    form.elements.idempotency_key.value = newKey();
    desk(null);
    $("ref").hidden = true;
    sending = false;
    if (data.locale !== "vi" && navigator.onLine) { location.replace(data.home + "?lang=vi"); return; }
    screen("attract");
  }
  function armIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idle, idleMs);
  }
  // SPEC §6: left idle after the overall question, the answers given are recorded, marked partial.
  function idle() {
    var overall = form.querySelector('[data-item="overall"] input:checked');
    if (overall && !sending) record(true); else reset();
  }
  function record(partial) {
    sending = true;
    clearTimeout(idleTimer); clearTimeout(advance);
    var fields = [];
    new FormData(form).forEach(function (value, name) { if (name !== "csrf_token") fields.push([name, value]); });
    fields.push(["answered_at", String(Date.now())]); // if sent later, the answer keeps its own time
    if (partial) fields.push(["partial", "1"]);
    var item = { key: form.elements.idempotency_key.value, fields: fields, at: Date.now() };
    shown = partial ? null : item.key;
    if (form.elements.desk_session.value) used[form.elements.desk_session.value] = 1; // never greet twice
    screen(partial ? "attract" : "thanks");
    var kept = keep(item).catch(function () { memory[item.key] = item; });
    if (partial) kept.then(reset).then(flush); else { thanksTimer = setTimeout(reset, thanksMs); kept.then(flush); }
  }
  // --- Desk session: the one-stop software says which dossier was just served ----------------------
  // The reference of a comment filed as a phản ánh, while this citizen's thanks still shows.
  function showRef(ref) {
    var p = $("ref"), c = form.querySelector("[data-ref]").dataset;
    p.textContent = c.ref.replace("{ref}", ref).replace("{url}", location.origin + c.url);
    if (thanks.hidden) return;
    p.hidden = false;
    clearTimeout(thanksTimer); thanksTimer = setTimeout(reset, thanksMs * 3); // time to note it down
  }
  function desk(s) {
    form.elements.desk_session.value = s ? s.key : "";
    if (service) service.disabled = !!s;
    if (dossier) dossier.disabled = !!s; // the desk told the dossier: nothing to key in
    greeting.hidden = !s;
    greeting.textContent = s ? greeting.dataset.label.replace("{procedure}", s.procedure) : "";
  }
  function poll() {
    if (attract.hidden || document.hidden) return;
    fetch(data.sessionUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (j) { if (!attract.hidden) desk(j.session && !used[j.session.key] ? j.session : null); })
      .catch(function () { /* offline: the kiosk works without a session */ });
  }

  // --- The later steps: their markup (/kiosk/steps/<lang>) loads at the first tap on "start", off
  // the first screen's weight; the service worker keeps a copy for offline use. A citizen who
  // gets to the end of the questions before it came waits for it; if it cannot come (offline, no
  // copy), the answers given are recorded then: nothing is lost for want of the optional steps.
  var later = null, dossier = null, code = null;
  function laterSteps() {
    if (dossier) return dossierStep();
    later = later || fetch(form.dataset.steps, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var t = document.createElement("template");
        t.innerHTML = html;
        // Only our own steps: a captive portal's "200 OK" page is not them.
        if (!dossier && t.content.querySelector("#dossier-step")) { form.appendChild(t.content); wire(); dossierStep(); }
      }).catch(function () { /* offline, with no copy: tried again at the next tap */ })
      .then(function () { later = null; });
    return later;
  }
  function wire() {
    steps = [].slice.call(form.querySelectorAll(".step"));
    dossier = $("dossier-step"); code = form.elements.dossier;
    dossier.disabled = !!form.elements.desk_session.value;
  }
  // Past the questions before the later steps came: wait for them, or record the answers.
  function finish(i) {
    var at = index;
    laterSteps().then(function () {
      if (!sending && !form.hidden && index === at) { if (dossier) show(i); else record(false); }
    });
  }

  // --- The receipt's dossier code: the step's own script (kiosk-dossier.js) loads with the later
  // steps; until it has, the code goes unchecked with the answer and the server decides then (as
  // it does offline).
  var step = null, loading = false;
  function dossierStep() {
    if (step || loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = dossier.dataset.script;
    script.onload = function () {
      step = window.kioskDossier(dossier, data.tokenUrl, armIdle, function () {
        var at = index;
        return function () { if (index === at && !form.hidden) show(at + 1); };
      });
    };
    script.onerror = function () { loading = false; script.remove(); };
    document.head.appendChild(script);
  }
  function check() { if (step) step.check(); else show(index + 1); }

  $("start").addEventListener("click", function () { screen("form"); show(0); laterSteps(); });
  form.addEventListener("change", function (e) {
    if (e.target.type === "radio") { clearTimeout(advance); advance = setTimeout(function () { show(index + 1); }, 300); }
    else armIdle();
  });
  form.addEventListener("input", armIdle);
  form.addEventListener("click", function (e) {
    if (e.target === prev) { clearTimeout(advance); show(index - 1, true); }
    else if (e.target.hasAttribute("data-check")) check();
    else if (e.target.hasAttribute("data-next")) { if (steps[index] === dossier) code.value = ""; show(index + 1); }
  });
  // Enter in the dossier box checks the code; it never sends the whole form.
  form.addEventListener("keydown", function (e) { if (e.target === code && e.key === "Enter") { e.preventDefault(); check(); } });
  form.addEventListener("submit", function (e) { e.preventDefault(); if (!sending) record(false); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) reset(); });
  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  setInterval(poll, Number(data.poll) * 1000);
  if (navigator.serviceWorker && data.worker) {
    navigator.serviceWorker.register(data.worker, { scope: data.home }).catch(function () {});
  }
  if ($("dossier-step")) wire(); // every step in the page (?steps=all)
  form.elements.idempotency_key.value = newKey();
  screen("attract");
  flush();
  poll();
})();
