// The kiosk's dossier step, loaded by kiosk.js at a citizen's first tap: the receipt's code keyed
// in is checked by the server (by its HMAC; the code is not kept), which says kindly when that
// dossier already has its answer; or the camera reads it, where the tablet has one and the
// browser reads codes itself (BarcodeDetector: no library). ``next()`` gives the function that
// moves on from the step, if the citizen is still on it.
window.kioskDossier = function (step, tokenUrl, armIdle, next) {
  "use strict";
  var code = step.querySelector("input"), note = step.querySelector("[role=status]");
  var scan = step.querySelector("[data-scan]"), stream = null;
  function check() {
    var done = next();
    if (!code.value.trim()) return done();
    fetch(tokenUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (t) {
        var body = new URLSearchParams({ code: code.value, csrf_token: t.csrf_token });
        return fetch(step.dataset.check, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } });
      })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!/^(used|invalid)$/.test(j.status)) return done();
        note.textContent = j.message;
        if (j.status === "used") code.value = ""; // not sent: the answers are recorded without it
        armIdle();
      })
      .catch(done); // offline: the code goes with the answer, and the server decides then
  }
  function stop() {
    if (!stream) return;
    stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    step.querySelector("video").remove();
  }
  if (window.BarcodeDetector && navigator.mediaDevices) {
    BarcodeDetector.getSupportedFormats()
      .then(function (f) { return f.length ? navigator.mediaDevices.enumerateDevices() : []; })
      .then(function (d) { scan.hidden = !d.some(function (x) { return x.kind === "videoinput"; }); })
      .catch(function () {});
  }
  scan.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      var video = document.createElement("video"), detector = new BarcodeDetector(), until = Date.now() + 30000;
      stop();
      stream = s;
      video.muted = video.playsInline = true;
      video.srcObject = s;
      scan.before(video);
      video.play();
      (function look() {
        if (stream) detector.detect(video).catch(function () { return []; }).then(function (found) {
          if (found.length) { code.value = found[0].rawValue; stop(); check(); }
          else if (Date.now() < until) { armIdle(); setTimeout(look, 300); } else stop();
        });
      })();
    }).catch(function () { scan.hidden = true; });
  });
  return { check: check, stop: stop, reset: function () { stop(); note.textContent = ""; } };
};
