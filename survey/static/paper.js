// Paper entry: typing a digit 1–5 moves to the next item, so a form is keyed in without the mouse.
// Without JavaScript the form works the same with Tab.
(function () {
  "use strict";
  var inputs = Array.prototype.slice.call(document.querySelectorAll(".paper-items input"));
  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () {
      if (/^[1-5]$/.test(input.value)) {
        var next = inputs[index + 1] || document.getElementById("comment");
        if (next) { next.focus(); if (next.select) { next.select(); } }
      }
    });
  });
})();
