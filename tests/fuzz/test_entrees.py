"""No server error on any input: every URL, as every role, with malformed values (hypothesis).

For each URL pattern of the portal (Django's own admin aside) and each role, the suite draws
path parameters (real identifiers of a small world, and absurd ones), query parameters (the
names the page's forms use, and common ones) and form fields (those of the page's forms),
filled with malformed values: wrong types, huge and negative numbers, NaN, inf, 1e309,
Unicode digits, NUL bytes, 100 KB strings, missing or duplicated fields. Every answer must be
below 500, and a refused submission (4xx) must leave the database as it was.

``FUZZ_EXEMPLES`` sets the number of drawings per URL and role (1 in CI, where they are also
derandomised so that CI never fails by chance); ``scripts/fuzz.sh`` runs many more, at random.
"""

import os
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidatures.models import Habilitation
from referentiel.models import Contrat
from tests.candidatures.factories import PDF_MINIMAL, DossierFactory, MembreFactory
from tests.evaluation.factories import (
    BilanFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_instruit,
    dossier_retenu,
)

pytestmark = pytest.mark.django_db

EXEMPLES = int(os.environ.get("FUZZ_EXEMPLES", "1"))
ALEATOIRE = os.environ.get("FUZZ_ALEATOIRE") == "1"
RAPPORT = os.environ.get("FUZZ_RAPPORT")

ROLES = [
    "anonyme",
    "porteur",
    "porteur_etranger",
    "instructeur",
    "comite",
    "administrateur_territoire",
    "administrateur_portail",
]
# Django's own admin is left out; logging out would end the role's session.
EXCLUS = re.compile(r"^(admin/|comptes/deconnexion/)")
PARAMETRES_COURANTS = [
    "q", "page", "tri", "ordre", "appel", "annee", "statut", "pilier", "orientation", "objectif",
    "qpv", "format", "version", "code", "next", "recepisse", "contrat", "structure", "sections",
]
# Tables whose rows change on a refused request by design: sessions, login throttling, tasks.
TABLES_IGNOREES = re.compile(r"^(django_session|axes_|django_tasks)")

# --- Values ---------------------------------------------------------------------------------

NOMBRES_ABSURDES = ["0", "-1", "2147483648", "9223372036854775808", "1" + "0" * 40, "-0"]
TEXTES_ABSURDES = [
    "", " ", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "1,5", "1.5", "12 500", "²",
    "①", "٣", "𝟗", "\x00", "a\x00b", "é" * 300, "<script>alert(1)</script>",
    "=HYPERLINK(\"http://exemple.test\")", "../../etc/passwd", "%00", "true", "null",
    "{}", "[]", "2026-02-30", "31/12/2026", "9999-12-31", "\u202e", "\ud7ff",
]
ENORME = "x" * 100_000


def valeurs():
    return st.one_of(
        st.sampled_from(TEXTES_ABSURDES + NOMBRES_ABSURDES),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.just(ENORME),
    )


def valeurs_multiples():
    """One value, or the same parameter several times."""
    return st.one_of(valeurs(), st.lists(valeurs(), min_size=2, max_size=3))


# --- The world ------------------------------------------------------------------------------


@dataclass
class Monde:
    utilisateurs: dict
    identifiants: list
    textes: list = field(default_factory=list)


def construire_monde():
    """A small portal: one dossier per main status, a bilan, the users of every role."""
    membre = MembreFactory()
    defaut = Contrat.objects.par_defaut()
    brouillon = DossierFactory(structure=membre.structure)
    depose = dossier_depose(membre=membre)
    instruit = dossier_instruit(membre=membre)
    retenu = dossier_retenu(membre=membre)
    bilan = BilanFactory(dossier=DossierFactory(structure=membre.structure, bilan_a_remettre=True))
    territoire_admin = UtilisateurFactory()
    Habilitation.objects.create(
        utilisateur=territoire_admin, role="administrateur", territoire=defaut.territoire
    )
    utilisateurs = {
        "anonyme": None,
        "porteur": membre.utilisateur,
        "porteur_etranger": MembreFactory().utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "comite": UtilisateurFactory(comite=True),
        "administrateur_territoire": territoire_admin,
        "administrateur_portail": UtilisateurFactory(administrateur=True, is_superuser=True),
    }
    identifiants = sorted(
        {
            o.pk
            for o in [brouillon, depose, instruit, retenu, bilan, bilan.dossier, membre,
                      membre.structure, depose.appel, retenu.appel]
        }
        | {u.pk for u in utilisateurs.values() if u}
    )
    textes = [defaut.code, "1.1.1", "1.1.1.a", "jeton", "MQ", "abc-def"]
    return Monde(utilisateurs, identifiants, textes)


def modeles_d_url():
    """(route, converters) of every URL pattern, admin aside."""

    def parcourir(motifs, prefixe, convertisseurs):
        for motif in motifs:
            route = prefixe + str(motif.pattern)
            tous = {**convertisseurs, **getattr(motif.pattern, "converters", {})}
            if isinstance(motif, URLResolver):
                yield from parcourir(motif.url_patterns, route, tous)
            elif isinstance(motif, URLPattern) and not EXCLUS.match(route):
                yield route, tous

    return sorted(set((r, tuple(c)) for r, c in parcourir(get_resolver().url_patterns, "", {})))


PARAMETRE_DE_CHEMIN = re.compile(r"<(?:(\w+):)?(\w+)>")


def concretiser(route, monde, data):
    """Fill the route's parameters: a real identifier or an absurd one, by converter."""

    def remplacer(m):
        convertisseur = m.group(1) or "str"
        if convertisseur == "int":
            return str(data.draw(st.one_of(
                st.sampled_from(monde.identifiants),
                st.sampled_from([0, 999_999_999, 2**31, 2**63 - 1, 2**63, 10**30]),
            )))
        if convertisseur == "uuid":
            return data.draw(st.uuids()).hex if data.draw(st.booleans()) else str(
                data.draw(st.uuids())
            )
        return data.draw(st.one_of(
            st.sampled_from(monde.textes + ["x" * 300, "é", "a.b"]),
            st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
        ))

    return "/" + PARAMETRE_DE_CHEMIN.sub(remplacer, route)


NOM_DE_CHAMP = re.compile(r'name="([^"]+)"')


def champs_de_la_page(contenu):
    noms = set(NOM_DE_CHAMP.findall(contenu)) - {"csrfmiddlewaretoken"}
    return sorted(n for n in noms if len(n) < 80)


def empreinte():
    """Row count of every table of the portal (a cheap picture of the data)."""
    tables = [
        m._meta.db_table for m in apps.get_models()
        if m._meta.managed and not TABLES_IGNOREES.match(m._meta.db_table)
    ]
    requete = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables
    )
    with connection.cursor() as curseur:
        curseur.execute(requete)
        return sorted(curseur.fetchall())


# --- The drive ------------------------------------------------------------------------------


@dataclass
class Compte:
    requetes: int = 0
    erreurs: list = field(default_factory=list)


def _envoyer(client, methode, chemin, donnees, compte):
    compte.requetes += 1
    try:
        if methode == "get":
            return client.get(chemin, donnees)
        return client.post(chemin, donnees)
    except Exception as erreur:  # noqa: BLE001 — a server error, recorded with its input
        compte.erreurs.append(f"{methode.upper()} {chemin[:120]} {str(donnees)[:200]} → "
                              f"{type(erreur).__name__}: {str(erreur)[:200]}")
        return None


def _explorer(client, route, monde, compte):
    @settings(
        max_examples=EXEMPLES,
        deadline=None,
        database=None,
        derandomize=not ALEATOIRE,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def explorer(data):
        chemin = concretiser(route, monde, data)
        page = _envoyer(client, "get", chemin, {}, compte)
        noms = champs_de_la_page(page.content.decode(errors="replace")) if (
            page is not None and page.status_code == 200
            and page.get("Content-Type", "").startswith("text/html")
        ) else []
        parametres = data.draw(st.lists(
            st.sampled_from(sorted(set(noms + PARAMETRES_COURANTS))), max_size=4, unique=True
        ))
        _envoyer(client, "get", chemin, {n: data.draw(valeurs_multiples()) for n in parametres},
                 compte)
        envoyes = data.draw(st.lists(st.sampled_from(noms), unique=True)) if noms else [
            data.draw(st.sampled_from(PARAMETRES_COURANTS))
        ]
        donnees = {n: data.draw(valeurs_multiples()) for n in envoyes}
        if data.draw(st.booleans()):
            donnees["fichier"] = SimpleUploadedFile(
                data.draw(st.sampled_from(["a.pdf", "b.exe", "é.png", "x" * 300])),
                data.draw(st.sampled_from([b"", PDF_MINIMAL[:50], b"%PDF-1.4 <html>", b"\x00"])),
            )
        avant = empreinte()
        reponse = _envoyer(client, "post", chemin, donnees, compte)
        if reponse is not None and 400 <= reponse.status_code < 500 and empreinte() != avant:
            compte.erreurs.append(
                f"POST {chemin[:120]} refusé ({reponse.status_code}) mais la base a changé"
            )
        if reponse is not None and reponse.status_code >= 500:
            compte.erreurs.append(f"POST {chemin[:120]} → {reponse.status_code}")

    explorer()


@pytest.mark.parametrize("role", ROLES)
def test_aucune_erreur_serveur_quelle_que_soit_la_saisie(role):
    monde = construire_monde()
    client = Client()
    utilisateur = monde.utilisateurs[role]
    compte = Compte()

    for route, _convertisseurs in modeles_d_url():
        if utilisateur is not None:
            client.force_login(utilisateur)
        _explorer(client, route, monde, compte)

    if RAPPORT:
        with open(RAPPORT, "a", encoding="utf-8") as fichier:
            fichier.write(f"{role} {compte.requetes}\n")
    assert compte.erreurs == [], "\n".join(compte.erreurs[:40])
