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
})();
