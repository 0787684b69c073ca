// The meeting page: follow the issue job's progress while it runs (without JavaScript,
// the page has a refresh link instead).
(function () {
  'use strict';
  var box = document.getElementById('job-progress');
  if (!box || box.getAttribute('data-finished') === 'true' || !window.fetch) {
    return;
  }
  var url = box.getAttribute('data-url');
  function set(selector, value) {
    var el = box.querySelector(selector);
    if (el) { el.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        set('.job-done', job.done);
        set('.job-failed', job.failed);
        set('.job-total', job.total);
        var bar = box.querySelector('progress');
        if (bar) { bar.value = job.done + job.failed; bar.max = job.total; }
        Object.keys(job.items || {}).forEach(function (id) {
          var el = document.querySelector('.item-status[data-item="' + id + '"]');
          if (el) { el.textContent = job.items[id].label; }
        });
        if (job.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
