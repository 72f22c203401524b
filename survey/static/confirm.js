// A form marked data-confirm asks before it is sent: revoking a kiosk, a QR code or a key,
// closing a unit. A button marked data-confirm asks only when it is the one pressed (publishing
// a questionnaire, not previewing it). Without JavaScript the form is sent as before; the
// server's rules still apply.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var source = button && button.hasAttribute("data-confirm") ? button : event.target;
  var question = source.getAttribute && source.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
