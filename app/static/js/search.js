// The search page with htmx: after the visitor asks for the results (the "Hae" or
// "Näytä tulokset" button, or Enter in the search box), the filter panel closes if the
// request came from it, the results scroll to the top of the screen and focus moves to
// the result count, which screen readers then read.  Typing and ticking filters only
// update the count (a polite live region), so focus stays where the visitor works.
(function () {
  "use strict";

  var asked = false;
  var closePanel = false;

  function init() {
    var form = document.getElementById("haku");
    var panel = document.getElementById("suodattimet");
    if (!form) {
      return;
    }
    form.addEventListener("submit", function (event) {
      asked = true;
      closePanel = Boolean(panel && event.submitter && panel.contains(event.submitter));
    });
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail && event.detail.target;
      if (!asked || !target || target.id !== "tulokset") {
        return;
      }
      asked = false;
      if (closePanel && panel) {
        panel.open = false;
      }
      var heading = document.getElementById("tulokset-otsikko");
      var count = document.getElementById("tulosmaara");
      if (heading) {
        heading.scrollIntoView({block: "start"});
      }
      if (count) {
        count.focus({preventScroll: true});
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
