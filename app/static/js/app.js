// Tells the user, in Finnish, when an htmx request fails; the page itself stays usable.
(function () {
  "use strict";

  function announce(message) {
    var region = document.getElementById("ilmoitukset");
    if (!region) {
      return;
    }
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
      announce("Liian monta pyyntöä lyhyessä ajassa. Odota hetki ja yritä uudelleen.");
    } else if (status >= 500) {
      announce("Palvelussa tapahtui virhe. Yritä hetken kuluttua uudelleen.");
    } else {
      announce("Pyyntöä ei voitu käsitellä. Lataa sivu uudelleen ja yritä uudelleen.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    announce("Yhteys palvelimeen katkesi. Tarkista verkkoyhteys ja yritä uudelleen.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      clear();
    }
  });
})();
