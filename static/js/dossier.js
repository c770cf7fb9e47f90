/* Dossier form: autosave (every 30 s and on leaving a field), live budget and indicator totals,
   preview of the chosen fiche-action. Without this file the form still works: each section has
   its "Enregistrer le brouillon" button. Nothing here is ever silent: success and failure are
   both announced in live regions. */
(function () {
  "use strict";

  var formulaire = document.getElementById("formulaire-dossier");
  if (!formulaire) { return; }

  var etat = document.getElementById("etat-enregistrement");
  var erreur = document.getElementById("erreur-enregistrement");
  var champVersion = document.getElementById("id_version");
  var modifie = false;
  var enCours = false;
  var bloque = false;
  var enVol = null;  // the autosave request in flight, if any
  var DELAI = 30000;

  function entier(valeur) {
    var propre = String(valeur || "").replace(/[\s\u00a0\u202f€]/g, "");
    if (propre === "") { return 0; }
    return /^\d+$/.test(propre) ? parseInt(propre, 10) : NaN;
  }

  function afficher(id, valeur) {
    var el = document.getElementById(id);
    if (el) { el.textContent = isNaN(valeur) ? "?" : valeur.toLocaleString("fr-FR"); }
  }

  /* --- Live totals ------------------------------------------------------------------------- */

  function euros(n) {
    return n.toLocaleString("fr-FR") + "\u00a0€";
  }

  function totaliserBudget() {
    var sommes = { charge: 0, produit: 0, "86": 0, "87": 0 };
    var demande = 0;
    formulaire.querySelectorAll("input[data-cote]").forEach(function (champ) {
      var v = entier(champ.value);
      sommes[champ.dataset.cote] += v;
      if (champ.dataset.contratVille) { demande += v; }
    });
    afficher("total-charges", sommes.charge);
    afficher("total-produits", sommes.produit);
    afficher("total-86", sommes["86"]);
    afficher("total-87", sommes["87"]);
    afficher("montant-demande", demande);
    var part = sommes.charge > 0 ? Math.round(demande * 1000 / sommes.charge) / 10 : 0;
    var elPart = document.getElementById("part-demandee");
    if (elPart) { elPart.textContent = isNaN(part) ? "?" : part.toLocaleString("fr-FR"); }
    var bilan = document.getElementById("bilan-budget");
    var phrase = document.getElementById("equilibre-budget");
    if (!bilan || !phrase) { return; }
    var equilibre = sommes.charge === sommes.produit && sommes["86"] === sommes["87"];
    bilan.classList.toggle("desequilibre", !equilibre);
    phrase.textContent = equilibre
      ? "Le budget est équilibré."
      : "Le budget n'est pas équilibré : charges " + euros(sommes.charge) + ", produits " +
        euros(sommes.produit) + " ; 86 : " + euros(sommes["86"]) + ", 87 : " +
        euros(sommes["87"]) + ".";
  }

  function totaliserIndicateurs() {
    var totaux = {};
    formulaire.querySelectorAll("input[data-total]").forEach(function (champ) {
      var cle = champ.dataset.total;
      totaux[cle] = (totaux[cle] || 0) + entier(champ.value);
    });
    Object.keys(totaux).forEach(function (cle) { afficher(cle, totaux[cle]); });
  }

  /* --- Fiche-action preview ------------------------------------------------------------------ */

  var champAction = document.getElementById("id_action_principale");
  var apercu = document.getElementById("apercu-fiche");

  function element(balise, texte, classe) {
    var el = document.createElement(balise);
    if (texte) { el.textContent = texte; }
    if (classe) { el.className = classe; }
    return el;
  }

  function montrerFiche() {
    if (!champAction || !apercu) { return; }
    var code = champAction.value.trim();
    if (!code) { apercu.replaceChildren(); return; }
    fetch(formulaire.dataset.ficheAction + "&code=" + encodeURIComponent(code), {
      headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (donnees) {
      apercu.replaceChildren();
      apercu.classList.toggle("refus", !donnees.eligible);
      if (!donnees.eligible) {
        apercu.appendChild(element("p", donnees.message, "mb-0"));
        return;
      }
      apercu.appendChild(element("p", "Action " + donnees.action.code + " : " + donnees.action.libelle, "mb-1 fw-bold"));
      apercu.appendChild(element("p", "Objectif opérationnel " + donnees.objectif.code + " — " + donnees.objectif.titre, "small mb-1"));
      if (donnees.exigences.length) {
        apercu.appendChild(element("p", "Cahier des charges :", "small mb-0"));
        var liste = element("ul", "", "small");
        donnees.exigences.forEach(function (t) { liste.appendChild(element("li", t)); });
        apercu.appendChild(liste);
      }
      if (donnees.indicateurs.length) {
        apercu.appendChild(element("p", "Indicateurs d'évaluation :", "small mb-0"));
        var ind = element("ul", "", "small");
        donnees.indicateurs.forEach(function (i) {
          ind.appendChild(element("li", i.libelle + (i.ventilation !== "aucune" ? " (" + i.ventilation + ")" : "")));
        });
        apercu.appendChild(ind);
      }
    }).catch(function () { /* the preview is a help; the server checks the code on saving */ });
  }

  /* --- Autosave ------------------------------------------------------------------------------ */

  function annoncerErreur(message) {
    erreur.textContent = message;
    etat.textContent = "";
  }

  function montrerErreursChamps(erreurs) {
    formulaire.querySelectorAll(".erreur-auto").forEach(function (el) { el.remove(); });
    formulaire.querySelectorAll("[data-erreur-auto]").forEach(function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("data-erreur-auto");
      el.removeAttribute("aria-invalid");
    });
    Object.keys(erreurs).forEach(function (nom) {
      var champ = formulaire.querySelector("[name='" + nom + "']");
      if (!champ || champ.type === "checkbox") { return; }
      champ.classList.add("is-invalid");
      champ.setAttribute("aria-invalid", "true");
      champ.setAttribute("data-erreur-auto", "1");
      var message = element("div", erreurs[nom].join(" "), "invalid-feedback d-block erreur-auto");
      message.id = champ.id + "_erreur_auto";
      champ.setAttribute("aria-describedby", message.id);
      champ.insertAdjacentElement("afterend", message);
    });
  }

  function mettreAJourCompletude(completude) {
    Object.keys(completude).forEach(function (section) {
      var el = formulaire.ownerDocument.querySelector("[data-completude='" + section + "']");
      if (!el) { return; }
      var n = completude[section];
      el.textContent = n ? n + " élément" + (n > 1 ? "s" : "") + " à compléter" : "Complet";
    });
  }

  function enregistrer() {
    if (!modifie || enCours || bloque) { return Promise.resolve(); }
    enCours = true;
    modifie = false;
    var donnees = new FormData(formulaire);
    donnees.delete("fichier");  // files are sent with the section's button only
    etat.textContent = "Enregistrement…";
    enVol = fetch(window.location.pathname, {
      method: "POST",
      body: donnees,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (reponse) {
      return reponse.json().catch(function () { return {}; }).then(function (json) {
        return { statut: reponse.status, json: json };
      });
    }).then(function (r) {
      var json = r.json;
      if (r.statut === 409) {
        bloque = true;
        annoncerErreur(json.message + " L'enregistrement automatique est suspendu : cliquez sur « Enregistrer le brouillon » pour revoir vos saisies.");
        return;
      }
      if (r.statut !== 200) {
        modifie = true;
        annoncerErreur("Échec de l'enregistrement automatique" + (json.message ? " : " + json.message : " (" + r.statut + ")") + ". Vos saisies sont toujours dans la page ; réessayez avec « Enregistrer le brouillon ».");
        return;
      }
      champVersion.value = json.version;
      montrerErreursChamps(json.erreurs || {});
      mettreAJourCompletude(json.completude || {});
      var nbErreurs = Object.keys(json.erreurs || {}).length;
      if (nbErreurs) {
        annoncerErreur("Enregistré à " + json.enregistre_a + ", sauf " + nbErreurs + " champ" + (nbErreurs > 1 ? "s" : "") + " à corriger (signalé" + (nbErreurs > 1 ? "s" : "") + " dans le formulaire).");
      } else {
        erreur.textContent = "";
        etat.textContent = "Enregistré à " + json.enregistre_a + ".";
      }
      if (json.signature_annulee) {
        var sig = document.getElementById("etat-signature");
        if (sig) { sig.textContent = json.signature_annulee; }
        var coche = document.getElementById("id_engagement");
        if (coche && coche.disabled) { coche.checked = false; }
      }
      if (json.sections_html) {
        Object.keys(json.sections_html).forEach(function (nom) {
          var zone = document.getElementById("contenu-" + nom);
          if (zone) { zone.innerHTML = json.sections_html[nom]; }
        });
        totaliserIndicateurs();
      }
    }).catch(function () {
      modifie = true;
      annoncerErreur("Échec de l'enregistrement automatique : la connexion au serveur est interrompue. Vos saisies sont toujours dans la page ; ne la fermez pas et réessayez dans un instant.");
    }).finally(function () {
      enCours = false;
      enVol = null;
    });
    return enVol;
  }

  formulaire.addEventListener("input", function (e) {
    if (e.target.type === "file") { return; }
    modifie = true;
    if (e.target.dataset.cote !== undefined) { totaliserBudget(); }
    if (e.target.dataset.total !== undefined) { totaliserIndicateurs(); }
  });
  formulaire.addEventListener("change", function (e) {
    if (e.target.type === "file") { return; }
    modifie = true;
    if (e.target === champAction) { montrerFiche(); }
    if (e.target.type === "checkbox" || e.target.type === "radio" || e.target.tagName === "SELECT") {
      enregistrer();
    }
  });
  formulaire.addEventListener("focusout", function (e) {
    if (e.target.matches("input, textarea, select") && e.target.type !== "file") { enregistrer(); }
  });
  formulaire.addEventListener("submit", function (e) {
    // Leaving a field for a button starts an autosave: let it finish (it updates the version
    // number), then send the form, so that one never conflicts with one's own autosave.
    if (enVol) {
      e.preventDefault();
      var bouton = e.submitter;
      enVol.then(function () { formulaire.requestSubmit(bouton); });
      return;
    }
    modifie = false;
    bloque = true;
  });
  window.setInterval(enregistrer, DELAI);
  window.addEventListener("beforeunload", function (e) {
    if (modifie) { e.preventDefault(); e.returnValue = ""; }
  });

  totaliserBudget();
  totaliserIndicateurs();
}());
