// Tells the user, in the page's language, when an htmx request fails; the page itself stays usable.
// Keeps the language switch pointing at the address htmx pushed.
(function () {
  "use strict";

  // The texts come from the page (data-* attributes of the region), translated like the rest of it.
  function announce(key) {
    var region = document.getElementById("ilmoitukset");
    if (!region) {
      return;
    }
    var message = region.getAttribute("data-" + key);
    region.textContent = "";
    var paragraph = document.createElement("p");
    paragraph.className = "ilmoitus-virhe";
    paragraph.textContent = message;
    region.appendChild(paragraph);
  }

  function clear() {
    var region = document.getElementById("ilmoitukset");
    if (region && region.firstChild) {
      region.textContent = "";
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 429) {
      announce("liian-monta");
    } else if (status >= 500) {
      announce("palvelinvirhe");
    } else {
      announce("muu-virhe");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    announce("yhteysvirhe");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      clear();
    }
  });

  // Each link of the switch is its language's root + this page's path and query.
  function followAddress() {
    var nav = document.querySelector(".kielet[data-juuri]");
    if (!nav) {
      return;
    }
    var here = window.location.pathname;
    var root = nav.getAttribute("data-juuri");
    if (here.indexOf(root + "/") !== 0) {
      return;
    }
    var rest = here.slice(root.length) + window.location.search;
    nav.querySelectorAll("a[data-juuri]").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("data-juuri") + rest);
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", followAddress);
  document.addEventListener("htmx:replacedInHistory", followAddress);
})();
