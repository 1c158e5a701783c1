// Behaviour shared by every page, kept out of the templates: a Content-Security-Policy without
// 'unsafe-inline' forbids inline handlers such as onchange="...".

// A select marked data-autosubmit submits its form when changed (filters such as 党组织 and
// 期间); the form keeps a <noscript> button for browsers without scripts.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.submit();
  }
});

// A button marked data-print prints the page (the recovery codes of 两步验证).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
