// "Kopioi linkki": a button shown only when the script runs copies the text of the element
// named by data-kopioi; without JavaScript the link stays selectable text beside it.
// The messages come translated from the page; a polite live region announces the result.
(function () {
  "use strict";

  function announce(text) {
    var live = document.getElementById("kopioinnin-tila");
    if (live) {
      live.textContent = text;
    }
  }

  function attach(button) {
    var source = document.getElementById(button.getAttribute("data-kopioi"));
    if (!source || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { announce(button.getAttribute("data-kopioitu")); },
        function () { announce(button.getAttribute("data-ei-kopioitu")); }
      );
    });
  }

  document.querySelectorAll("button[data-kopioi]").forEach(attach);
})();
