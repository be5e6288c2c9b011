/* Hospital console: no double submit, the date picker opens the chosen day at once, and
 * the slip's print button prints.
 * Everything works without this script; it is a static file because the CSP is
 * default-src 'self' (no inline scripts). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.classList.add("sending"); });
    });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // 停诊: no reason is chosen in advance; the confirm button waits for one (chosen or
  // typed). The server refuses a stop without a reason as well.
  document.querySelectorAll("form[data-needs-reason]").forEach(function (form) {
    var button = form.querySelector("button[type=submit]");
    var other = form.querySelector("input[name=other_reason]");
    function update() {
      var chosen = form.querySelector("input[name=reason]:checked");
      button.disabled = !chosen && !(other && other.value.trim());
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  });
  var picker = document.getElementById("day-picker");
  if (picker && picker.form) {
    picker.addEventListener("change", function () {
      if (picker.value) { picker.form.submit(); }
    });
  }
})();
