// Start Det Fælles Designsystem's components (menus, accordions, error summary).
// A file, not an inline script, so the Content-Security-Policy can refuse inline code.
DKFDS.init();

// The design system measures its desktop menu again once the page has loaded
// (window.onload), to move the items that do not fit under "Mere". Below 992 px that menu is
// not shown (the drawer is), so the measuring only forces a style and layout pass of the
// whole page while a phone is still busy loading it (~50 ms of main thread, four times that
// on Lighthouse's slowed phone). Its own resize listener measures the menu when the window
// grows to the desktop width, so nothing is lost by skipping it here.
if (window.onload && window.matchMedia && !window.matchMedia('(min-width: 992px)').matches) {
  window.onload = null;
}

// A wide table scrolls inside its own box (.table--responsive-scroll) rather than making the
// whole page scroll sideways on a phone or at 200 % zoom. When, and only when, it does scroll,
// the box can be reached with the keyboard (to scroll it with the arrow keys) and is named
// after the table's caption, so a screen reader says what the stop is (WCAG 2.1.1, 1.4.10).
(function () {
  const boxes = document.querySelectorAll('.table--responsive-scroll');
  function mark() {
    boxes.forEach(function (box) {
      const table = box.querySelector('table');
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        const caption = table && table.querySelector('caption');
        const name = (caption && caption.textContent.trim()) || box.dataset.label || '';
        if (name) box.setAttribute('aria-label', name);
      } else if (box.getAttribute('role') === 'region') {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    });
  }
  if (boxes.length) {
    mark();
    window.addEventListener('resize', mark);
  }
})();

// A step that cannot be undone (a decision, withdrawing, giving up a grant) is shown before
// it is taken. With this script the confirmation opens in a dialog on the case page; the
// server sends it alone when asked with X-Requested-With: fetch. Without the script, or if
// the server answers with the form's errors, the form is sent as usual and the
// confirmation (or the errors) come as a page of their own.
(function () {
  const dialog = document.getElementById('confirm-dialog');
  if (!dialog || typeof dialog.showModal !== 'function' || !window.fetch) return;
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (form.dataset.sendAsPage) return;
      event.preventDefault();
      const body = new FormData(form);
      // getAttribute: the decision form has a field called "action", which form.action names.
      fetch(form.getAttribute('action'), {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: {'X-Requested-With': 'fetch'}
      }).then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        return response.text();
      }).then(function (html) {
        dialog.innerHTML = html; // our own template; every value in it is escaped
        dialog.showModal();
        const heading = dialog.querySelector('#confirmation-heading');
        if (heading) heading.focus();
      }).catch(function () {
        form.dataset.sendAsPage = 'yes';
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  });
  dialog.addEventListener('click', function (event) {
    const close = event.target.closest('[data-close-dialog]');
    if (close) {
      event.preventDefault();
      dialog.close();
    }
  });
})();
