// What the pages that answer a form as it is filled in share (the rule editor, the youth
// application's subsidy calculation): the form posted to the server with its CSRF token,
// and the post repeated a moment after the person stops typing or changes a choice.
// Without JavaScript each page's own button does the same as a page.
window.liveForm = (function () {
  "use strict";

  // Post the form (less the fields named in ``omit``) to ``url``; ``answer`` gets the JSON
  // of a successful answer. A failed post changes nothing: the page's button still works.
  function post(form, url, omit, answer) {
    var body = new FormData(form);
    omit.forEach(function (name) { body.delete(name); });
    var token = form.querySelector("input[name=csrf_token]");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token.value } : {}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { answer(data); }
    }).catch(function () { /* the page's button still works */ });
  }

  // Call ``run`` ``typing`` ms after the last keystroke, ``choosing`` ms after a change.
  function follow(form, run, typing, choosing) {
    var timer = null;
    function after(delay) {
      return function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(run, delay);
      };
    }
    form.addEventListener("input", after(typing));
    form.addEventListener("change", after(choosing));
  }

  return { post: post, follow: follow };
})();
