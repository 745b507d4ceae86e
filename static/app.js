// Enhancements for study pages. Every page works without this file: forms post normally,
// orderings use numbered selects and flashcards flip through a link. This adds keys, drag
// and drop with a keyboard alternative, the shortcut help and a test's countdown.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return (tag === "INPUT" && ["text", "search", "email", "password", "number"].indexOf(target.type) >= 0) ||
      tag === "TEXTAREA" || tag === "SELECT";
  }

  // Keyboard help: "?" toggles it, Esc closes it (native to <dialog>).
  var help = document.getElementById("keys-help");
  function toggleHelp() {
    if (!help) { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }
  document.querySelectorAll("[data-help]").forEach(function (button) {
    button.addEventListener("click", toggleHelp);
  });

  // Ordering: drag and drop, or focus an item and move it with the arrow keys or its buttons.
  // The numbered selects stay in the form and are filled in from the order on submit.
  document.querySelectorAll("[data-ordering]").forEach(function (list) {
    var live = document.createElement("p");
    live.className = "sr-only";
    live.setAttribute("aria-live", "polite");
    list.parentNode.insertBefore(live, list.nextSibling);
    var dragged = null;

    function items() { return Array.prototype.slice.call(list.querySelectorAll(".order-item")); }
    function label(item) { return item.querySelector(".item-text").textContent.trim(); }
    function renumber() {
      items().forEach(function (item, index) {
        item.querySelector("select").value = String(index + 1);
        item.querySelector(".position").textContent = String(index + 1);
      });
    }
    function move(item, delta) {
      var all = items();
      var index = all.indexOf(item);
      var target = index + delta;
      if (target < 0 || target >= all.length) { return; }
      if (delta < 0) { list.insertBefore(item, all[target]); } else { list.insertBefore(item, all[target].nextSibling); }
      renumber();
      item.focus();
      live.textContent = label(item) + " moved to position " + (target + 1) + " of " + all.length + ".";
    }

    items().forEach(function (item) {
      item.setAttribute("tabindex", "0");
      item.setAttribute("draggable", "true");
      item.setAttribute("aria-roledescription", "sortable item");
      var position = document.createElement("span");
      position.className = "position";
      position.setAttribute("aria-hidden", "true");
      item.querySelector("label").insertBefore(position, item.querySelector("label").firstChild);
      [["↑", -1, "Move up: "], ["↓", 1, "Move down: "]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "move";
        button.textContent = spec[0];
        button.setAttribute("aria-label", spec[2] + label(item));
        button.addEventListener("click", function () { move(item, spec[1]); });
        item.appendChild(button);
      });
      item.addEventListener("keydown", function (event) {
        if (event.target !== item) { return; }
        if (event.key === "ArrowUp") { move(item, -1); event.preventDefault(); }
        if (event.key === "ArrowDown") { move(item, 1); event.preventDefault(); }
      });
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", label(item));
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
        renumber();
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) { return; }
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (event) { event.preventDefault(); renumber(); });
    });
    renumber();
    list.closest("form").addEventListener("submit", renumber);
  });

  // Time zones: sign-up takes the browser's zone (the server checks it, and keeps UTC without
  // this script); settings offer it when it differs from the saved one.
  var browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browserZone = ""; }
  if (browserZone) {
    document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
      input.value = browserZone;
      var note = document.querySelector("[data-browser-zone-note]");
      if (note) { note.querySelector("strong").textContent = browserZone; note.hidden = false; }
    });
    var offer = document.querySelector("[data-use-browser-zone]");
    var select = document.getElementById("time_zone");
    if (offer && select && select.value !== browserZone &&
        select.querySelector("option[value='" + browserZone.replace(/'/g, "") + "']")) {
      offer.querySelector("strong").textContent = browserZone;
      offer.hidden = false;
      offer.querySelector("button").addEventListener("click", function () {
        select.value = browserZone;
        offer.hidden = true;
        select.focus();
      });
    }
  }

  // A timed test counts down from the server's figure (the learner's clock may be off) and,
  // when time is up, goes once to the session page, which then shows the results.
  document.querySelectorAll("[data-seconds-left]").forEach(function (timer) {
    var end = Date.now() + 1000 * Number(timer.getAttribute("data-seconds-left"));
    var value = timer.querySelector(".timer-value");
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      value.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
      if (left === 0) {
        window.location.assign(timer.getAttribute("data-when-done"));
      } else {
        window.setTimeout(tick, 1000);
      }
    }
    tick();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (key === "?" && !typing(event.target)) { toggleHelp(); event.preventDefault(); return; }
    if ((help && help.open) || typing(event.target)) { return; }
    var target = event.target;
    var onBody = !target || target === document.body || target === document.documentElement;
    var answerForm = document.querySelector("form[data-keys=answer]");
    var inAnswer = answerForm && answerForm.contains(target);
    // Links, buttons and summaries keep their own Enter and Space.
    var control = target && /^(A|BUTTON|SUMMARY)$/.test(target.tagName);
    if (!(onBody || inAnswer) || control) { return; }
    var rate = document.querySelector("form[data-keys=rate]");
    if (rate && /^[1-4]$/.test(key)) {
      rate.querySelector("[data-key='" + key + "']").click();
      event.preventDefault();
      return;
    }
    var flip = document.querySelector("[data-key=flip]");
    if (flip && onBody && (key === " " || key === "Enter")) {
      flip.click();
      event.preventDefault();
      return;
    }
    var undo = document.querySelector("[data-key=undo]");
    if (undo && onBody && (key === "z" || key === "Z")) {
      undo.click();
      event.preventDefault();
      return;
    }
    var next = document.querySelector("[data-key=continue]");
    if (next && key === "Enter" && onBody) {
      next.click();
      event.preventDefault();
      return;
    }
    var form = document.querySelector("form[data-keys=answer]");
    if (!form) { return; }
    if (/^[1-9]$/.test(key)) {
      var option = form.querySelector("input[data-key='" + key + "']");
      if (option) {
        option.checked = option.type === "checkbox" ? !option.checked : true;
        option.focus();
        event.preventDefault();
      }
    } else if (key === "Enter" && (inAnswer || onBody) && !target.classList.contains("order-item")) {
      form.requestSubmit();
      event.preventDefault();
    }
  });
})();
