// The form-based rule editor: the rules are checked and their examples worked out on the
// server as the administrator types (debounced). Without JavaScript the "Prøv eksemplerne"
// button does the same as a page. Each error is put beside its field, the summary goes in
// the status region (aria-live="polite"); the focus stays where the person is typing.
(function () {
  "use strict";
  var form = document.getElementById("rule-editor");
  var status = document.getElementById("rule-check");
  if (!form || !status || !window.fetch || !window.liveForm) { return; }
  var url = form.getAttribute("data-check-url");
  var sent = 0;

  function element(tag, text, className) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (className) { e.className = className; }
    return e;
  }

  function describedBy(control, add, id) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (add) { ids.push(id); }
    if (ids.length) { control.setAttribute("aria-describedby", ids.join(" ")); }
    else { control.removeAttribute("aria-describedby"); }
  }

  function clear() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.remove(); }
    form.querySelectorAll(".form-error-message").forEach(function (message) {
      var id = message.id.replace(/-error$/, "");
      var owner = document.getElementById(id);
      if (owner) {
        owner.removeAttribute("aria-invalid");
        var target = owner.closest("[data-field] fieldset") || owner;
        describedBy(target, false, message.id);
        if (target !== owner) { describedBy(owner, false, message.id); }
      }
      var group = message.closest(".form-error");
      if (group) { group.classList.remove("form-error"); }
      message.remove();
    });
  }

  function mark(id, text) {
    var owner = document.getElementById(id);
    if (!owner) { return false; }
    var errorId = id + "-error";
    var existing = document.getElementById(errorId);
    if (existing) {
      existing.appendChild(document.createElement("br"));
      existing.appendChild(document.createTextNode(text));
      return true;
    }
    var message = element("span", null, "form-error-message");
    message.id = errorId;
    message.appendChild(element("span", form.getAttribute("data-error-prefix") + " ", "sr-only"));
    message.appendChild(document.createTextNode(text));
    var box = owner.closest("[data-field]");
    if (box && owner.tagName !== "FIELDSET") {
      box.classList.add("form-error");
      var fieldset = box.querySelector("fieldset");
      var label = box.querySelector(".form-hint") || box.querySelector("label, legend");
      label.insertAdjacentElement("afterend", message);
      describedBy(fieldset || owner, true, errorId);
      if (!fieldset) { owner.setAttribute("aria-invalid", "true"); }
    } else {
      var paragraph = element("p", null, "form-error-message");
      paragraph.id = errorId;
      paragraph.appendChild(message.firstChild);
      paragraph.appendChild(document.createTextNode(text));
      owner.querySelector("legend").insertAdjacentElement("afterend", paragraph);
      describedBy(owner, true, errorId);
    }
    return true;
  }

  function show(data) {
    clear();
    status.textContent = "";
    if (data.valid) {
      status.appendChild(element("p", form.getAttribute("data-valid")));
      if (data.examples.length) {
        status.appendChild(element("p", form.getAttribute("data-examples")));
        var list = element("ul");
        data.examples.forEach(function (example) {
          list.appendChild(element("li", example.title + ": " + example.result));
        });
        status.appendChild(list);
      }
      return;
    }
    status.appendChild(element("p", form.getAttribute("data-invalid")));
    var problems = element("ul");
    data.problems.forEach(function (problem) {
      var item = element("li");
      if (problem.field && mark(problem.field, problem.message)) {
        var link = element("a", problem.message);
        link.href = "#" + problem.field;
        item.appendChild(link);
      } else {
        item.textContent = problem.message;
      }
      problems.appendChild(item);
    });
    status.appendChild(problems);
  }

  function check() {
    var number = ++sent;
    // Only the answer to the newest draft is shown.
    window.liveForm.post(form, url, ["intent"], function (data) {
      if (number === sent) { show(data); }
    });
  }

  window.liveForm.follow(form, check, 600, 200);
})();
