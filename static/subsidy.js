// The live subsidy calculation on the youth application form. Without JavaScript the
// "Beregn tilskud" button shows the same working on a preview step; with it, the working
// follows the form as it is filled in. The server calculates both (no rules here).
(function () {
  "use strict";
  var form = document.getElementById("subsidy-form");
  var panel = document.getElementById("calculation");
  if (!form || !panel || !window.fetch || !window.liveForm) { return; }
  var url = form.getAttribute("data-calculate-url");

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (className) { element.className = className; }
    return element;
  }

  function render(data) {
    var table = panel.querySelector("table");
    // A refused form's panel has no table: it says nothing can be worked out until the
    // marked fields are corrected, and keeps saying so until the form is sent again.
    if (!table) { return; }
    var empty = panel.querySelector(".calculation-empty");
    if (empty) { empty.remove(); }
    var problems = panel.querySelector(".alert");
    if (problems) { problems.remove(); }
    if (data.problems && data.problems.length) {
      var alert = document.createElement("div");
      alert.className = "alert alert-warning";
      var body = document.createElement("div");
      body.className = "alert-body";
      body.appendChild(cell("p", panel.getAttribute("data-problems-heading") || "", "alert-heading"));
      var list = document.createElement("ul");
      list.className = "alert-text";
      data.problems.forEach(function (problem) { list.appendChild(cell("li", problem.message)); });
      body.appendChild(list);
      alert.appendChild(body);
      panel.insertBefore(alert, panel.children[1] || null);
    }
    var tbody = table.querySelector("tbody");
    tbody.textContent = "";
    data.lines.forEach(function (line) {
      var row = document.createElement("tr");
      row.appendChild(cell("td", line.label));
      row.appendChild(cell("td", line.working));
      row.appendChild(cell("td", line.amount_text, "align-text-right"));
      tbody.appendChild(row);
    });
    var notes = panel.querySelector(".calculation-notes");
    if (notes) {
      notes.textContent = "";
      (data.notes || []).forEach(function (note) { notes.appendChild(cell("li", note)); });
    }
    var total = table.querySelector("tfoot strong");
    if (total) { total.textContent = data.total_text; }
    summarise(data);
  }

  // The figure under the participant counts (a polite live region): rewritten only when
  // what it says changes, so a screen reader hears each new total once.
  function summarise(data) {
    var summary = document.getElementById("calculation-summary");
    if (!summary) { return; }
    var problems = data.problems && data.problems.length;
    var key = data.total_text + (problems ? "!" : "");
    if (summary.getAttribute("data-shown") === key) { return; }
    summary.setAttribute("data-shown", key);
    summary.textContent = summary.getAttribute("data-label") + " ";
    summary.appendChild(cell("strong", data.total_text));
    if (problems) {
      summary.appendChild(document.createTextNode(" " + summary.getAttribute("data-problems")));
    }
  }

  function calculate() {
    window.liveForm.post(form, url, ["programme_file"], render);
  }

  window.liveForm.follow(form, calculate, 400, 100);
})();
