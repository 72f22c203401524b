// The notice's "print" button opens the browser's print dialog.
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
