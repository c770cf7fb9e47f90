"""Pages benchmark, in process: the accounts, and each page's status, bytes and SQL queries.

Runs once ``django.setup()`` was called with the benchmark settings on the measured database.
"""

from charge import MOT_DE_PASSE
from charge_donnees import preparer
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidatures.models import AppelAProjets, Dossier, Membre, Structure, Utilisateur
from referentiel.models import Contrat, Pilier


def preparer_comptes(annee):
    """A porteur (responsable of the generated structure with most dossiers, with a draft on
    the open call), an instructeur and a comité member of the default contract."""
    donnees = preparer(porteurs=1, instructeurs=1, comite=1, mot_de_passe=MOT_DE_PASSE,
                       annee_volume=annee)
    porteur = donnees["porteurs"][0]
    grande = (
        Structure.objects.filter(dossiers__appel_id=donnees["appel_volume"])
        .annotate(n=Count("dossiers")).order_by("-n").first()
    )
    Membre.objects.filter(structure_id=porteur["structure"]).update(structure=grande)
    Dossier.objects.filter(pk=porteur["dossier"]).update(structure=grande)
    return {
        "porteur": porteur["email"], "brouillon": porteur["dossier"],
        "instructeur": donnees["instructeurs"][0]["email"],
        "comite": donnees["comite"][0]["email"],
        # The portal administrator of the demo (``demo`` ran before): the accounts and roles page.
        "admin": "admin@demo.test",
        "appel": donnees["appel_volume"], "annee": annee,
        "dossiers_porteur": Dossier.objects.filter(structure=grande).count(),
    }


def _liste(comptes):
    appel = AppelAProjets.objects.select_related("contrat").get(pk=comptes["appel"])
    contrat = Contrat.objects.par_defaut()
    pilier = Pilier.objects.filter(contrat=contrat).order_by("ordre").first()
    file = f"/instruction/appels/{appel.pk}/"
    brouillon = comptes["brouillon"]
    return [
        ("anonyme", "plancher", "get", "/plancher/"),
        ("anonyme", "catalogue", "get", "/referentiel/"),
        ("anonyme", "page d'un objectif", "get", f"/referentiel/{contrat.code}/objectifs/1.1.1/"),
        ("porteur", "plancher", "get", "/plancher/"),
        ("porteur", "mes dossiers", "get", "/dossiers/"),
        ("porteur", "formulaire du dossier", "get", f"/dossiers/{brouillon}/modifier/"),
        ("porteur", "dépôt (refusé : incomplet)", "post", f"/dossiers/{brouillon}/deposer/"),
        ("instructeur", "plancher", "get", "/plancher/"),
        ("instructeur", "file (par défaut)", "get", file),
        ("instructeur", "file filtrée (pilier)", "get", f"{file}?pilier={pilier.pk}"),
        ("instructeur", "file filtrée (pilier et « Association »)", "get",
         f"{file}?pilier={pilier.pk}&structure=Association"),
        ("instructeur", "file triée (montant)", "get", f"{file}?tri=-montant"),
        ("instructeur", "file, page 50", "get", f"{file}?page=50"),
        ("instructeur", "structures (personnel)", "get", "/structures/"),
        ("instructeur", "export XLSX", "get", f"{file}dossiers.xlsx"),
        ("instructeur", "export CSV", "get", f"{file}dossiers.csv"),
        ("comite", "plancher", "get", "/plancher/"),
        ("comite", "programmation", "get", f"{file}programmation/"),
        ("comite", "programmation, décidés p. 50", "get",
         f"{file}programmation/?etat=decides&page=50"),
        # The same page reached by « Page suivante » (the last number of page 49 as cursor).
        ("comite", "programmation, décidés p. 50 (curseur)", "get",
         f"{file}programmation/?etat=decides&page=50&apres={_curseur(appel, 49 * 50)}"),
        ("comite", "tableau de bord annuel", "get",
         f"/bilans/annuels/?contrat={contrat.code}&annee_debut={comptes['annee']}"
         f"&annee_fin={comptes['annee']}"),
        ("comite", "bilans des dossiers", "get", "/bilans/"),
        ("comite", "export SCDL", "get", f"{file}subventions.csv"),
        ("admin", "plancher", "get", "/plancher/"),
        ("admin", "comptes et rôles", "get", "/comptes/roles/"),
    ]


def _curseur(appel, rang):
    """The number of the ``rang``-th decided dossier; with fewer, the one before the last page
    (as « page 50 » shows the last page then)."""
    from evaluation.instruction.selectors import programmation

    numeros = list(programmation.lignes(appel, etat=programmation.DECIDES).values_list(
        "numero", flat=True
    ))
    if len(numeros) >= rang:
        return numeros[rang - 1]
    return numeros[(len(numeros) - 1) // 50 * 50 - 1] if len(numeros) > 50 else 0


def _contenu(reponse):
    if getattr(reponse, "streaming", False):
        return b"".join(reponse.streaming_content)
    return reponse.content


def pages_par_role(comptes, choix=None):
    """Every page with its status, bytes and queries (second request: caches warm) and the
    cookies the HTTP clients send for that role; only those whose name holds one of ``choix``
    when given (the floors always)."""
    clients = {}
    for role in ("anonyme", "porteur", "instructeur", "comite", "admin"):
        client = Client(HTTP_HOST="127.0.0.1")
        if role != "anonyme":
            client.force_login(Utilisateur.objects.get(email=comptes[role]))
        client.get("/", secure=True)  # the CSRF cookie
        clients[role] = client
    pages = []
    for role, nom, methode, chemin in _liste(comptes):
        if choix and nom != "plancher" and not any(c in nom for c in choix):
            continue
        client = clients[role]
        jeton = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
        donnees = {"csrfmiddlewaretoken": jeton} if methode == "post" else None
        appel = getattr(client, methode)
        _contenu(appel(chemin, donnees, secure=True))
        with CaptureQueriesContext(connection) as requetes:
            reponse = appel(chemin, donnees, secure=True)
            octets = len(_contenu(reponse))
        pages.append({
            "role": role, "page": nom, "methode": methode, "chemin": chemin,
            "statut": reponse.status_code, "octets": octets,
            "requetes": len(requetes.captured_queries),
            "cookie": "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()),
            "corps": f"csrfmiddlewaretoken={jeton}" if methode == "post" else "",
        })
    return pages
