// Drafts as the person types (grants.drafts): a form with data-draft-url sends its fields
// (never its files, CSRF token or hidden keys) as JSON a moment after the last keystroke,
// and says "Kladde gemt kl. 14.32" in a polite live region that never takes the focus.
// Without JavaScript the form's own "Gem som kladde" button saves, and a refused form keeps
// what was typed as the draft too.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.JSON) { return; }
  var url = form.getAttribute("data-draft-url");
  var status = document.getElementById("draft-status");
  var token = form.querySelector("input[name=csrf_token]");
  var WAIT_MS = 1500;
  var timer = null;
  var sending = false;
  var again = false;

  function fields() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || element.disabled || name === "csrf_token" || name === "intent") { return; }
      var type = (element.type || "").toLowerCase();
      if (type === "file" || type === "hidden" || type === "submit" || type === "button") { return; }
      if ((type === "checkbox" || type === "radio") && !element.checked) { return; }
      var value = element.value;
      if (element.tagName === "SELECT" && element.multiple) {
        value = Array.prototype.filter.call(element.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      }
      if (Object.prototype.hasOwnProperty.call(values, name)) {
        values[name] = [].concat(values[name], value);
      } else {
        values[name] = value;
      }
    });
    return values;
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function save() {
    timer = null;
    if (sending) { again = true; return; }
    sending = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: JSON.stringify({ fields: fields() })
    }).then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (data) {
      say(data.message || "");
    }).catch(function () {
      say(form.getAttribute("data-draft-failed") || "");
    }).then(function () {
      sending = false;
      if (again) { again = false; later(); }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, WAIT_MS);
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "file") { return; }
    later();
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.type === "file") { return; }
    later();
  });
  // The form is being sent: the server keeps or forgets the draft itself.
  form.addEventListener("submit", function () {
    if (timer) { clearTimeout(timer); timer = null; }
  });
})();

// The budget's total on the study-trip form, summed as the lines are typed, read by the
// same rule as the server's (grants.core.money): an ambiguous "6.500" is not guessed.
(function () {
  "use strict";
  var box = document.querySelector("[data-budget-total]");
  if (!box) { return; }
  var form = box.closest("form");
  var output = box.querySelector("output");
  var unreadable = box.querySelector("[data-budget-unreadable]");
  var names = (box.getAttribute("data-lines") || "").split(" ");
  var locale = document.documentElement.lang === "da" ? "da-DK" : "en-GB";
  var format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var GROUPED = /^[0-9]{1,3}(?:[.,][0-9]{3})+$/;
  var timer = null;

  // Whole øre, or null where the server would refuse (or not guess) the amount.
  function ore(whole, decimals) {
    if (decimals.length > 2) { return null; }
    return Number(whole) * 100 + Number((decimals + "00").slice(0, 2));
  }

  function read(text) {
    var t = text.trim().toLowerCase().replace(/[\u00a0\u202f\u2009]/g, " ").replace(/ +/g, " ");
    if (!t) { return 0; }
    var m = t.match(/^(?:(?:dkk|kr\.?) *)?(.*?)(?: *(?:dkk|kr\.?))?$/);
    t = m ? m[1] : t;
    if (t.indexOf(" ") >= 0) {
      if (!/^[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?$/.test(t.replace(/[.,]-$/, ""))) { return null; }
      t = t.replace(/ /g, "");
    }
    var wholeKroner = /[.,]-$/.test(t);
    if (wholeKroner) { t = t.slice(0, -2); }
    if (!/^[0-9][0-9.,]*$/.test(t) || t.replace(/[^0-9]/g, "").length > 15) { return null; }
    var marks = t.replace(/[0-9]/g, "");
    if (!marks) { return Number(t) * 100; }
    if (/[.,]$/.test(t)) { return null; }
    var kinds = marks.indexOf(".") >= 0 && marks.indexOf(",") >= 0 ? 2 : 1;
    if (wholeKroner || (kinds === 1 && marks.length > 1)) {
      if (kinds > 1 || !GROUPED.test(t)) { return null; }
      return Number(t.replace(/[.,]/g, "")) * 100;
    }
    if (kinds === 2) {
      var at = Math.max(t.lastIndexOf("."), t.lastIndexOf(","));
      var whole = t.slice(0, at);
      if (whole.indexOf(t.charAt(at)) >= 0 || !GROUPED.test(whole)) { return null; }
      return ore(whole.replace(/[.,]/g, ""), t.slice(at + 1));
    }
    var parts = t.split(/[.,]/);
    if (parts[1].length === 3) { return null; }  // "6.500": thousands or decimals?
    return ore(parts[0], parts[1]);
  }

  function update() {
    timer = null;
    var total = 0;
    var bad = false;
    names.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input) { return; }
      var value = read(input.value || "");
      if (value === null) { bad = true; } else { total += value; }
    });
    output.textContent = format.format(total / 100) + " kr.";
    if (unreadable) { unreadable.hidden = !bad; }
  }

  form.addEventListener("input", function (event) {
    if (names.indexOf(event.target.name) < 0) { return; }
    // A moment after the last keystroke, so the live region is not read digit by digit.
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 400);
  });
  update();
})();
