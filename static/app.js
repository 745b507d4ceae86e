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
  function toggleHelp() {
    var help = document.getElementById("keys-help");
    if (!help) { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }

  // Ordering: drag and drop, or focus an item and move it with the arrow keys or its buttons.
  // The numbered selects stay in the form and are filled in from the order on submit.
  function enhanceOrdering(list) {
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
  }

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
  function startTimer(timer) {
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
  }

  // What a study view needs once it is in the page: on load, and when the next question
  // takes the feedback's place.
  function enhance(root) {
    root.querySelectorAll("[data-help]").forEach(function (button) {
      button.addEventListener("click", toggleHelp);
    });
    root.querySelectorAll("[data-ordering]").forEach(enhanceOrdering);
    root.querySelectorAll("[data-seconds-left]").forEach(startTimer);
  }
  enhance(document);

  // The feedback page carries the session's next question, chosen as the answer was recorded
  // (as Anki picks its next card). Continue shows it in place, without a request; the address
  // becomes the session's, whose page shows that same question, so reloading is safe. The
  // feedback keeps its own address (a GET), so Back and reload never post the answer again.
  // A page left open for long loads the session page instead, which chooses afresh.
  var upcoming = document.getElementById("next-question");
  var FRESH_MS = 5 * 60 * 1000;
  var feedback = document.querySelector("[data-feedback-url]");
  if (feedback && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", feedback.getAttribute("data-feedback-url"));
  }
  if (upcoming && window.history && window.history.pushState) {
    var loaded = Date.now();
    document.querySelectorAll("[data-key=continue]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        // A new tab or window (a modified or middle click) loads the session page there.
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
            event.altKey) { return; }
        if (!upcoming || Date.now() - loaded > FRESH_MS) { return; }
        event.preventDefault();
        showUpcoming(Date.now() - loaded);
      });
    });
  }

  // Back or Forward to an address other than the one on screen (the feedback, from a
  // question shown in place or reloaded since; the browser may keep either page): load it.
  function onScreen() { return window.location.pathname + window.location.search; }
  var shown = onScreen();
  window.addEventListener("popstate", function () {
    if (onScreen() !== shown) { window.location.reload(); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && onScreen() !== shown) { window.location.reload(); }
  });

  function showUpcoming(waited) {
    var view = upcoming.content.querySelector("[data-study-view]").cloneNode(true);
    // The answer's time counts from when the question is seen, not from when it was sent.
    var shownAt = view.querySelector("input[name=shown_at]");
    if (shownAt) { shownAt.value = String(Number(shownAt.value) + waited); }
    document.querySelectorAll(".flashes").forEach(function (old) { old.remove(); });
    document.querySelector("[data-study-view]").replaceWith(view);
    document.title = upcoming.getAttribute("data-title");
    window.history.pushState(null, "", upcoming.getAttribute("data-url"));
    shown = onScreen();
    upcoming.remove();
    upcoming = null;
    enhance(view);
    window.scrollTo(0, 0);
    // As a page load would: the first answer field; else the question itself (labelled by
    // its prompt), so that a screen reader reads the new question. Keys then work as from
    // the page itself.
    var first = view.querySelector("[autofocus]");
    if (!first) {
      first = view.querySelector("article");
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.setAttribute("data-page-start", "");
      }
    }
    if (first) { first.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    // A held key repeats: one press is one action (a held Enter would otherwise continue and
    // then submit the next question unanswered).
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    var key = event.key;
    if (key === "?" && !typing(event.target)) { toggleHelp(); event.preventDefault(); return; }
    var help = document.getElementById("keys-help");
    if ((help && help.open) || typing(event.target)) { return; }
    var target = event.target;
    var onBody = !target || target === document.body || target === document.documentElement ||
      target.hasAttribute("data-page-start");
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
