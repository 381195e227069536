// A form that creates something (it carries a one-time submission key) is sent
// once: the first press shows progress on the button, later presses do nothing.
// The server answers a repeat with the first result anyway (app/platform/
// submissions.py); this spares the wait and shows that something is happening.
(function () {
  "use strict";

  function progressLabel() {
    var meta = document.querySelector('meta[name="lahetetaan"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelector || !form.querySelector('input[name="submission_key"]')) {
      return;
    }
    if (form.getAttribute("data-lahetetty") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-lahetetty", "true");
    form.setAttribute("aria-busy", "true");
    var button = event.submitter || form.querySelector('button[type="submit"], button:not([type])');
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("lahettaa");
      var label = progressLabel();
      if (label) {
        // The shorter label must not shrink the button: a second click would land on
        // whatever moved under the pointer (a link beside it) and cancel the sending.
        button.style.minWidth = button.getBoundingClientRect().width + "px";
        button.setAttribute("data-teksti", button.textContent);
        button.textContent = label;
      }
    }
  });

  // Back from the next page (the browser's page cache): the form may be sent again
  // as a new submission only after reloading, but its button must not stay busy.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll('form[data-lahetetty="true"]');
    Array.prototype.forEach.call(forms, function (form) {
      form.removeAttribute("data-lahetetty");
      form.removeAttribute("aria-busy");
      var button = form.querySelector(".lahettaa");
      if (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("lahettaa");
        if (button.hasAttribute("data-teksti")) {
          button.textContent = button.getAttribute("data-teksti");
          button.removeAttribute("data-teksti");
          button.style.minWidth = "";
        }
      }
    });
  });
})();
