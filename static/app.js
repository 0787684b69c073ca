// Start Det Fælles Designsystem's components (menus, accordions, error summary).
// A file, not an inline script, so the Content-Security-Policy can refuse inline code.
DKFDS.init();

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
