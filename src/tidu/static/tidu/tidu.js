/* Behaviour every page shares, from a static file: the Content-Security-Policy allows no inline script or
   on* attribute (decision 0104). Delegated from the document, so content htmx swaps in works too. */
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form (the language switcher, list filters).
  // Each such form keeps a <noscript> button for browsers without JavaScript.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
}());
