// The review UI works without this file; it only adds conveniences.
(function () {
  "use strict";
  var batch = document.getElementById("batch");
  if (batch) {
    var head = batch.querySelector("thead th");
    if (head) {
      var all = document.createElement("input");
      all.type = "checkbox";
      all.setAttribute("aria-label", "выбрать все");
      all.addEventListener("change", function () {
        batch.querySelectorAll('input[name="org"]').forEach(function (c) { c.checked = all.checked; });
      });
      head.appendChild(all);
    }
  }
  // A link shown once (a new invitation) gets a copy button.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var input = document.getElementById(b.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!input) {
      return;
    }
    b.hidden = false;
    input.addEventListener("focus", function () { input.select(); });
    b.addEventListener("click", function () {
      function said(ok) {
        if (status) {
          status.textContent = ok ? "Ссылка скопирована: вставьте её в письмо администратору." : "Скопировать не удалось: выделите ссылку и нажмите Ctrl+C.";
        }
      }
      function byHand() {
        input.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        said(ok);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () { said(true); }, byHand);
      } else {
        byHand();
      }
    });
  });
})();
