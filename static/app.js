// Keyboard shortcuts on study pages. The pages work without this file: it only enhances.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "INPUT" && target.type === "text" ||
      target.tagName === "TEXTAREA" || target.tagName === "SELECT");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    var rate = document.querySelector("form[data-keys=rate]");
    if (rate && /^[1-4]$/.test(key)) {
      rate.querySelector("[data-key='" + key + "']").click();
      event.preventDefault();
      return;
    }
    var flip = document.querySelector("[data-key=flip]");
    if (flip && (key === " " || key === "Enter")) { flip.click(); event.preventDefault(); return; }
    var next = document.querySelector("[data-key=continue]");
    if (next && key === "Enter" && event.target === document.body) { next.click(); event.preventDefault(); return; }
    var form = document.querySelector("form[data-keys=answer]");
    if (!form) { return; }
    if (/^[1-9]$/.test(key)) {
      var option = form.querySelector("input[data-key='" + key + "']");
      if (option) {
        option.checked = option.type === "checkbox" ? !option.checked : true;
        option.focus();
        event.preventDefault();
      }
    } else if (key === "Enter") {
      form.requestSubmit();
      event.preventDefault();
    }
  });
})();
