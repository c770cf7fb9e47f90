"""Load test, pure part: what was recorded, its figures, and the check of every save.

Nothing here touches the network, the server or Django: the test suite checks these functions
on synthetic records (tests/test_charge.py).
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field

# The words every refused autosave must show its user (candidatures.dossiers.services.brouillons).
MARQUE_CONFLIT = "Vos modifications n'ont pas été enregistrées"


@dataclass
class Requete:
    """One HTTP request: its page label, method, status (None: no answer) and duration."""

    page: str
    methode: str
    statut: int | None
    duree: float
    erreur: str = ""  # empty when the answer was the expected one


@dataclass
class Sauvegarde:
    """One autosave of a dossier as its client saw it.

    ``valeur`` is the unique text typed in the « résumé » field, ``montant`` the amount typed
    on a budget line; ``version_rendue`` is the version the server answered (200 or 409).
    """

    dossier: int
    utilisateur: str
    version_envoyee: int
    valeur: str
    montant: int
    statut: int | None
    version_rendue: int | None = None
    conflit: bool = False
    message: str = ""

    @property
    def acquittee(self):
        return self.statut == 200

    @property
    def refusee(self):
        return self.statut == 409


def centile(valeurs, p):
    """Nearest-rank percentile: the smallest value with at least ``p`` % of values at or below."""
    if not valeurs:
        return None
    ordonnees = sorted(valeurs)
    rang = max(1, math.ceil(p / 100 * len(ordonnees)))
    return ordonnees[rang - 1]


@dataclass
class LignePage:
    page: str
    requetes: int
    erreurs: int
    p50: float
    p95: float
    maximum: float


def par_page(requetes):
    """Per page label: count, errors, p50, p95 and max duration (seconds), by label order."""
    groupes = defaultdict(list)
    for r in requetes:
        groupes[r.page].append(r)
    lignes = []
    for page in sorted(groupes):
        liste = groupes[page]
        durees = [r.duree for r in liste if r.statut is not None]
        lignes.append(LignePage(
            page=page,
            requetes=len(liste),
            erreurs=sum(1 for r in liste if r.erreur),
            p50=centile(durees, 50) or 0.0,
            p95=centile(durees, 95) or 0.0,
            maximum=max(durees, default=0.0),
        ))
    return lignes


def erreurs_par_nature(requetes):
    """Count of failed requests by kind of failure (5xx, unexpected status, timeout…)."""
    natures = defaultdict(int)
    for r in requetes:
        if r.erreur:
            natures[r.erreur] += 1
    return dict(sorted(natures.items()))


def _ms(secondes):
    return f"{secondes * 1000:,.0f}".replace(",", " ")


def tableau(lignes):
    """The per-page figures as a Markdown table (durations in milliseconds)."""
    resultat = [
        "| page | requêtes | erreurs | p50 (ms) | p95 (ms) | max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for ligne in lignes:
        resultat.append(
            f"| {ligne.page} | {ligne.requetes} | {ligne.erreurs} | {_ms(ligne.p50)} "
            f"| {_ms(ligne.p95)} | {_ms(ligne.maximum)} |"
        )
    total = sum(ligne.requetes for ligne in lignes)
    erreurs = sum(ligne.erreurs for ligne in lignes)
    resultat.append(f"| **total** | **{total}** | **{erreurs}** | | | |")
    return "\n".join(resultat)


# --- The check of the saves against the database --------------------------------------------------


@dataclass
class EtatDossier:
    """What the database holds for one dossier after the run."""

    version: int
    resume: str
    montant: int | None
    # The « résumé » values its edit trail records as written (ModificationDossier.apres).
    journal: set = field(default_factory=set)


@dataclass
class Verification:
    acquittees: int = 0
    refusees: int = 0
    indeterminees: int = 0
    # Each anomaly: (dossier, what went wrong); the lists are empty when nothing was lost.
    perdues: list = field(default_factory=list)
    conflits_non_signales: list = field(default_factory=list)
    refus_ecrits: list = field(default_factory=list)
    incoherences: list = field(default_factory=list)

    @property
    def anomalies(self):
        return (
            len(self.perdues) + len(self.conflits_non_signales) + len(self.refus_ecrits)
            + len(self.incoherences)
        )

    def en_dict(self):
        return {**asdict(self), "anomalies": self.anomalies}


def verifier_sauvegardes(sauvegardes, etats):
    """Check every autosave the clients made against the database ``etats`` (id → EtatDossier).

    - an acknowledged save (200) must have bumped the version by one and be in the dossier's
      edit trail; its version must be acknowledged to no one else (else one save silently
      replaced another); the last acknowledged save of a dossier must be what the dossier holds;
    - a refused save (409) must say so (conflict flag and message) and have written nothing;
    - a save without an answer (timeout, connection lost) is counted apart: its fate is unknown.
    """
    v = Verification()
    par_dossier = defaultdict(list)
    for s in sauvegardes:
        etat = etats.get(s.dossier)
        if s.acquittee:
            v.acquittees += 1
            par_dossier[s.dossier].append(s)
            if s.version_rendue != s.version_envoyee + 1:
                v.incoherences.append((s.dossier, (
                    f"{s.utilisateur} : enregistrement acquitté en version {s.version_rendue} "
                    f"à partir de la version {s.version_envoyee}"
                )))
            if etat is None or s.valeur not in etat.journal:
                v.perdues.append((s.dossier, (
                    f"{s.utilisateur} : « {s.valeur} » acquitté (version {s.version_rendue}) "
                    "mais absent du journal du dossier"
                )))
        elif s.refusee:
            v.refusees += 1
            if not s.conflit or MARQUE_CONFLIT not in s.message:
                v.conflits_non_signales.append((s.dossier, (
                    f"{s.utilisateur} : refus 409 sans message de conflit ({s.message!r})"
                )))
            if etat is not None and (s.valeur in etat.journal or etat.resume == s.valeur):
                v.refus_ecrits.append((s.dossier, (
                    f"{s.utilisateur} : « {s.valeur} » refusé mais écrit dans le dossier"
                )))
        else:
            v.indeterminees += 1
    for dossier, acquittees in par_dossier.items():
        _verifier_suite(v, dossier, acquittees, etats.get(dossier))
    return v


def _verifier_suite(v, dossier, acquittees, etat):
    """Versions acknowledged once each; the last acknowledged save is what the dossier holds."""
    versions = defaultdict(list)
    for s in acquittees:
        versions[s.version_rendue].append(s)
    for version, liste in sorted(versions.items()):
        if len(liste) > 1:
            noms = ", ".join(s.utilisateur for s in liste)
            v.perdues.append((dossier, (
                f"version {version} acquittée à plusieurs clients ({noms}) : un enregistrement "
                "en a remplacé un autre sans conflit"
            )))
    derniere = max(acquittees, key=lambda s: s.version_rendue or 0)
    if etat is None:
        v.perdues.append((dossier, "dossier introuvable dans la base"))
        return
    if etat.version < (derniere.version_rendue or 0):
        v.perdues.append((dossier, (
            f"la base est en version {etat.version}, une version {derniere.version_rendue} "
            "a été acquittée"
        )))
    elif etat.version == derniere.version_rendue and (
        etat.resume != derniere.valeur or etat.montant != derniere.montant
    ):
        v.perdues.append((dossier, (
            f"dernier enregistrement acquitté ({derniere.utilisateur}, version "
            f"{derniere.version_rendue}) : « {derniere.valeur} », {derniere.montant} € ; "
            f"la base contient « {etat.resume} », {etat.montant} €"
        )))
    # A higher version in the database than any acknowledged one comes from a save whose answer
    # never arrived (counted as undetermined), not from a lost save.


# --- The whole report -----------------------------------------------------------------------------


def resume_requetes(requetes, *, connexions, duree):
    """Totals: every request, those of the window (after signing in), throughput, errors."""
    fenetre = requetes[connexions:]
    return {
        "total": len(requetes),
        "connexion": connexions,
        "fenetre": len(fenetre),
        "debit": round(len(fenetre) / duree, 1) if duree else 0.0,
        "erreurs": sum(1 for r in requetes if r.erreur),
        "erreurs_par_nature": erreurs_par_nature(requetes),
        "pages": [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(ligne).items()}
            for ligne in par_page(requetes)
        ],
    }


def _nombre(n):
    return f"{n:,}".replace(",", " ")


def rapport(resultat):
    """The run in Markdown, from the result dictionary the load test writes as JSON."""
    p, r, s = resultat["parametres"], resultat["requetes"], resultat["sauvegardes"]
    i, f, serveur = resultat["instructions"], resultat["fichiers"], resultat["serveur"]
    lignes = [
        f"- Utilisateurs : {p['porteurs']} porteurs (dont 2 sur le même dossier), "
        f"{p['instructeurs']} instructeurs, {p['comite']} membre(s) du comité ; "
        f"gunicorn {p['workers']} workers, volume {_nombre(p['volume'])} dossiers.",
        f"- Fenêtre de {p['duree']} s (durée réelle {resultat['durees']['fenetre']:.0f} s) : "
        f"{_nombre(r['fenetre'])} requêtes, {_virgule(r['debit'])} par seconde ; "
        f"avant elle, {r['connexion']} requêtes de connexion.",
        f"- **Erreurs : {r['erreurs']}**"
        + (f" ({', '.join(f'{k} : {n}' for k, n in r['erreurs_par_nature'].items())})"
           if r["erreurs"] else " (ni 5xx, ni statut inattendu, ni délai dépassé)."),
        f"- Enregistrements automatiques : {s['acquittees']} acquittés, {s['refusees']} refusés "
        f"pour conflit, {s['indeterminees']} sans réponse ; **perdus : {len(s['perdues'])}**, "
        f"conflits non signalés : {len(s['conflits_non_signales'])}, refus écrits quand même : "
        f"{len(s['refus_ecrits'])}, incohérences de version : {len(s['incoherences'])}, "
        f"champs refusés dans un enregistrement : {len(resultat.get('champs_refuses', []))}.",
        f"- Instructions conclues : {i['conclues']} (absentes de la base : {len(i['absentes'])} ; "
        f"conclusion refusée à l'écran : {len(i['refusees'])}).",
        f"- Fichiers de bilan annuel obtenus : {len(f['obtenus'])}"
        + (f" (de {_virgule(round(min(d for _f, d in f['obtenus']), 1))} à "
           f"{_virgule(round(max(d for _f, d in f['obtenus']), 1))} s de la demande au fichier)"
           if f["obtenus"] else "")
        + f" ; non obtenus : {len(f['echecs'])}.",
        f"- Journal du serveur et du worker : {serveur['erreurs_journal']} erreur(s) ; "
        f"courriels envoyés : {serveur['courriels']}.",
        *_lignes_machine(resultat),
        "",
        tableau([LignePage(**ligne) for ligne in r["pages"]]),
    ]
    anomalies = s["perdues"] + s["conflits_non_signales"] + s["refus_ecrits"] + s["incoherences"]
    if anomalies or i["absentes"]:
        lignes += ["", "Anomalies :"]
        lignes += [f"- dossier {d} : {texte}" for d, texte in anomalies + i["absentes"]]
    return "\n".join(lignes)


def _virgule(x):
    return str(x).replace(".", ",")


def _lignes_machine(resultat):
    lignes = []
    cpu, machine = resultat.get("cpu"), resultat.get("machine")
    if cpu:
        serveur = cpu["gunicorn"] + cpu["base"]
        par_requete = serveur / resultat["requetes"]["fenetre"] * 1000 if serveur else 0
        lignes.append(
            f"- CPU consommé pendant les {_virgule(cpu['duree'])} s d'activité : gunicorn "
            f"{_virgule(cpu['gunicorn'])} s, worker {_virgule(cpu['worker'])} s, PostgreSQL "
            f"{_virgule(cpu['base'])} s, client {_virgule(cpu['client'])} s ; soit "
            f"{par_requete:.0f} ms de CPU (gunicorn + PostgreSQL) par requête."
        )
    if machine:
        avant, apres = machine["charge_moyenne"]
        lignes.append(
            f"- Machine : {machine['coeurs']} cœurs, charge moyenne (1 min) "
            f"{_virgule(avant)} avant les connexions, {_virgule(apres)} à la fin."
        )
    return lignes


def reussi(resultat):
    """Zero error, zero lost or unreported save, no field refused, every conclusion found."""
    return (
        resultat["requetes"]["erreurs"] == 0
        and resultat["sauvegardes"]["anomalies"] == 0
        and resultat["sauvegardes"]["indeterminees"] == 0
        and not resultat["instructions"]["absentes"]
        and not resultat["fichiers"]["echecs"]
        and resultat["serveur"]["erreurs_journal"] == 0
        and not resultat.get("champs_refuses")
    )
