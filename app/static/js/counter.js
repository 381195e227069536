// Character counters for text areas with data-laskuri="<max>": the hint under the
// label tells how many characters are used, and a polite live region tells screen
// reader users once typing pauses.  The server enforces the limit; this only helps.
(function () {
  "use strict";

  var ANNOUNCE_DELAY_MS = 1000;
  // The texts, in the page's language, come with the script tag (templates/_counter_script.html).
  var script = document.currentScript;
  var TEXTS = {
    used: script.getAttribute("data-kaytetty"),
    over: script.getAttribute("data-yli"),
    overByOne: script.getAttribute("data-yli-yksi")
  };

  function filled(text, n, max) {
    return text.replace("{n}", String(n)).replace("{max}", String(max));
  }

  function message(length, max) {
    if (length > max) {
      return filled(length - max === 1 ? TEXTS.overByOne : TEXTS.over, length - max, max);
    }
    return filled(TEXTS.used, length, max);
  }

  function attach(area) {
    var max = parseInt(area.getAttribute("data-laskuri"), 10);
    var hint = document.getElementById(area.id + "-ohje");
    if (!max || !hint) {
      return;
    }
    var visible = document.createElement("span");
    visible.className = "laskuri";
    hint.appendChild(document.createTextNode(" "));
    hint.appendChild(visible);
    var live = document.createElement("p");
    live.className = "piilotettu";
    live.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(live, area.nextSibling);
    var timer = null;

    function update() {
      var text = message(area.value.length, max);
      visible.textContent = text;
      visible.classList.toggle("laskuri-yli", area.value.length > max);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        live.textContent = text;
      }, ANNOUNCE_DELAY_MS);
    }

    area.addEventListener("input", update);
    visible.textContent = message(area.value.length, max);
    visible.classList.toggle("laskuri-yli", area.value.length > max);
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-laskuri]");
    for (var i = 0; i < areas.length; i += 1) {
      attach(areas[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
