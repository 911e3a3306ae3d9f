// The catalogue search on a narrow screen: the filters fold away behind a "Filters" button, so that the results
// come right after their count. Without this script (or on a wide screen) the filters are simply shown.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 48rem)");
  document.querySelectorAll("[data-filters-toggle]").forEach(function (button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) {
      return;
    }
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("search-filters__panel--collapsed", !open);
    }
    button.hidden = false;
    // A filter with an error stays open, so the error summary's link leads somewhere visible.
    show(!narrow.matches || panel.hasAttribute("data-open"));
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
  });
})();
