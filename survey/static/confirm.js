// A form marked data-confirm asks before it is sent: revoking a kiosk, a QR code or a key,
// closing a unit. Without JavaScript the form is sent as before; the server's rules still apply.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
