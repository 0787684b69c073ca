// Start Det Fælles Designsystem's components (menus, accordions, error summary).
// A file, not an inline script, so the Content-Security-Policy can refuse inline code.
DKFDS.init();
