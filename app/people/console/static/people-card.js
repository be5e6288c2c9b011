// The print button of the hotline card (inline scripts are not allowed by the CSP).
document.getElementById("print")?.addEventListener("click", () => window.print());
