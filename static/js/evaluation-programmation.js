/* Programmation page: totals typed so far, per pilier and for the call, against the envelopes;
   « Accorder le montant proposé » fills the row's amount instead of saving (without this
   script, the same button saves through the server). */
(function () {
  "use strict";
  var tableau = document.querySelector("[data-enveloppes]");
  if (!tableau) { return; }
  var annonce = document.querySelector("[data-annonce]");
  var format = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  function euros(n) { return format.format(n) + "\u00a0€"; }

  function saisis() {
    var totaux = { total: 0 };
    document.querySelectorAll("[data-ligne]").forEach(function (ligne) {
      var nature = ligne.querySelector("[data-nature]");
      var montant = ligne.querySelector("[data-montant]");
      if (!nature || !montant || nature.value !== "retenu") { return; }
      var valeur = parseInt(montant.value, 10);
      if (isNaN(valeur) || valeur < 0) { return; }
      var pilier = ligne.getAttribute("data-pilier");
      totaux[pilier] = (totaux[pilier] || 0) + valeur;
      totaux.total += valeur;
    });
    return totaux;
  }

  function recalculer(pilierChange) {
    var totaux = saisis();
    var messages = [];
    tableau.querySelectorAll("tr[data-pilier]").forEach(function (rangee) {
      var pilier = rangee.getAttribute("data-pilier");
      var saisi = totaux[pilier] || 0;
      var enveloppe = rangee.getAttribute("data-enveloppe");
      var accorde = parseInt(rangee.getAttribute("data-accorde"), 10) || 0;
      rangee.querySelector("[data-saisi]").textContent = euros(saisi);
      var celluleReste = rangee.querySelector("[data-reste]");
      if (enveloppe === "") { celluleReste.textContent = "—"; return; }
      var reste = parseInt(enveloppe, 10) - accorde - saisi;
      celluleReste.textContent = euros(reste);
      celluleReste.classList.toggle("depasse", reste < 0);
      if (pilier === pilierChange || pilier === "total") {
        var nom = rangee.querySelector("th").textContent.trim();
        messages.push("Reste après saisie, " + nom + " : " + euros(reste)
                      + (reste < 0 ? " (enveloppe dépassée)" : "") + ".");
      }
    });
    if (annonce && pilierChange) { annonce.textContent = messages.join(" "); }
  }

  function pilierDe(element) {
    var ligne = element.closest("[data-ligne]");
    return ligne ? ligne.getAttribute("data-pilier") : null;
  }

  function accorder(source) {
    var montant = document.getElementById(source.getAttribute("data-cible"));
    var ligne = montant && montant.closest("[data-ligne]");
    if (!ligne) { return; }
    ligne.querySelector("[data-nature]").value = "retenu";
    montant.value = source.getAttribute("data-propose");
  }

  document.addEventListener("click", function (e) {
    var bouton = e.target.closest("[data-accorder]");
    if (bouton) {
      e.preventDefault();
      accorder(bouton);
      recalculer(pilierDe(bouton));
      return;
    }
    if (e.target.closest("[data-accorder-selection]")) {
      e.preventDefault();
      var coches = document.querySelectorAll("[data-selection]:checked[data-cible]");
      coches.forEach(accorder);
      recalculer(coches.length ? pilierDe(coches[0]) : "total");
      if (!coches.length && annonce) {
        annonce.textContent = "Cochez au moins une ligne avant d'accorder le montant proposé.";
      }
    }
  });
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (e.target.matches("[data-nature], [data-montant]")) { recalculer(pilierDe(e.target)); }
    });
  });
  recalculer(null);
})();
