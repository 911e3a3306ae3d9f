/* The site menu on a narrow screen: the "Menu" button shows and hides the list (the WAI-ARIA disclosure pattern).
   Without this script the button stays hidden and the whole menu is shown: nothing depends on it. */
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".site-menu__toggle");
  if (!button) {
    return;
  }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu from the button or any of its links, and puts the focus back on the button.
  button.parentElement.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
});
