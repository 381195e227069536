// Tells the user, in the page's language, when an htmx request fails; the page itself stays usable.
// Keeps the language switch pointing at the address htmx pushed.
// Moves focus to the field an error summary's link names.
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

  // An error summary's link goes to the input; the browser alone would scroll the input to the
  // top of the screen, its label and message above it out of view on a phone.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".virheyhteenveto a[href^='#']") : null;
    var input = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    var wrapper = input ? input.closest(".kentta") : null;
    if (!wrapper) {
      return;
    }
    event.preventDefault();
    wrapper.scrollIntoView();
    input.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:pushedIntoHistory", followAddress);
  document.addEventListener("htmx:replacedInHistory", followAddress);
})();
