"""The load test (benchmarks/charge.py) stays importable and its pure parts stay right.

The run itself (gunicorn, PostgreSQL, 60 s of simulated users) is not part of the suite; what
is checked here is what its verdict rests on: percentiles and the report, the check of every
autosave against the database, forms read as the browser sends them, the request recorder.
"""

import asyncio
import concurrent.futures
import importlib
import smtplib
import sys
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from django.test import RequestFactory

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

charge = importlib.import_module("charge")
client = importlib.import_module("charge_client")
mesures = importlib.import_module("charge_mesures")
smtp = importlib.import_module("charge_smtp")

Requete, Sauvegarde, EtatDossier = mesures.Requete, mesures.Sauvegarde, mesures.EtatDossier
CONFLIT = mesures.MARQUE_CONFLIT + " : Camille a enregistré ce dossier à 10 h 02…"


# --- Figures ------------------------------------------------------------------------------------


def _executer(coroutine):
    """Run ``coroutine`` in its own thread: the browser tests of the same worker leave
    Playwright's event loop running in this one, where ``asyncio.run`` is refused."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executeur:
        return executeur.submit(asyncio.run, coroutine).result()


def test_centile_au_rang_le_plus_proche():
    assert mesures.centile([5, 1, 3, 2, 4], 50) == 3
    assert mesures.centile(list(range(1, 101)), 95) == 95
    assert mesures.centile(list(range(1, 101)), 50) == 50
    assert mesures.centile([7], 95) == 7
    assert mesures.centile([], 50) is None


def test_chiffres_par_page_et_tableau():
    requetes = [Requete("porteur : mes dossiers", "GET", 200, d / 1000) for d in range(1, 21)]
    requetes += [
        Requete("instruction : file", "GET", 200, 0.4),
        Requete("instruction : file", "GET", 500, 0.1, "500"),
        Requete("instruction : file", "GET", None, 30.0, "délai dépassé"),
    ]
    lignes = {ligne.page: ligne for ligne in mesures.par_page(requetes)}

    porteur = lignes["porteur : mes dossiers"]
    assert (porteur.requetes, porteur.erreurs) == (20, 0)
    assert porteur.p50 == pytest.approx(0.010)
    assert porteur.p95 == pytest.approx(0.019)
    assert porteur.maximum == pytest.approx(0.020)
    file = lignes["instruction : file"]
    # A request without an answer counts as an error, not as a duration.
    assert (file.requetes, file.erreurs, file.maximum) == (3, 2, 0.4)
    assert mesures.erreurs_par_nature(requetes) == {"500": 1, "délai dépassé": 1}

    tableau = mesures.tableau(mesures.par_page(requetes))
    assert "| porteur : mes dossiers | 20 | 0 | 10 | 19 | 20 |" in tableau
    assert "| **total** | **23** | **2** | | | |" in tableau


def test_resume_separe_la_connexion_de_la_fenetre():
    requetes = [Requete("connexion", "POST", 302, 0.5)] * 4 + [Requete("accueil", "GET", 200, 0.1)]
    resume = mesures.resume_requetes(requetes, connexions=4, duree=0.5)
    assert (resume["total"], resume["connexion"], resume["fenetre"]) == (5, 4, 1)
    assert resume["debit"] == 2.0
    assert resume["erreurs"] == 0


# --- The check of the saves ---------------------------------------------------------------------


def _sauvegarde(qui, version, valeur, statut=200, conflit=False, message="", montant=100):
    return Sauvegarde(
        dossier=1, utilisateur=qui, version_envoyee=version, valeur=valeur, montant=montant,
        statut=statut,
        version_rendue=version + 1 if statut == 200 else (version + 1 if statut == 409 else None),
        conflit=conflit, message=message,
    )


def test_sauvegardes_sans_perte():
    sauvegardes = [
        _sauvegarde("a", 1, "a1", montant=10),
        _sauvegarde("b", 1, "b1", statut=409, conflit=True, message=CONFLIT),
        _sauvegarde("b", 2, "b2", montant=20),
        _sauvegarde("a", 2, "a2", statut=409, conflit=True, message=CONFLIT),
        _sauvegarde("a", 3, "a3", statut=None),
    ]
    etats = {1: EtatDossier(version=3, resume="b2", montant=20, journal={"a1", "b2"})}
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    assert (verification.acquittees, verification.refusees, verification.indeterminees) == (2, 2, 1)
    assert verification.anomalies == 0


def test_deux_enregistrements_acquittes_sur_la_meme_version_sont_une_perte():
    sauvegardes = [_sauvegarde("a", 1, "a1"), _sauvegarde("b", 1, "b1")]
    etats = {1: EtatDossier(version=2, resume="b1", montant=100, journal={"b1"})}
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    textes = " / ".join(texte for _d, texte in verification.perdues)
    assert "« a1 » acquitté (version 2) mais absent du journal" in textes
    assert "version 2 acquittée à plusieurs clients (a, b)" in textes


def test_derniere_valeur_acquittee_absente_de_la_base():
    sauvegardes = [_sauvegarde("a", 1, "a1"), _sauvegarde("a", 2, "a2", montant=50)]
    etats = {1: EtatDossier(version=3, resume="a1", montant=100, journal={"a1", "a2"})}
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    assert len(verification.perdues) == 1
    assert "la base contient « a1 »" in verification.perdues[0][1]

    # The version of the database is behind the last acknowledged one.
    etats = {1: EtatDossier(version=2, resume="a1", montant=100, journal={"a1", "a2"})}
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    assert "la base est en version 2, une version 3 a été acquittée" in verification.perdues[0][1]


def test_refus_sans_message_de_conflit_ou_ecrit_quand_meme():
    sauvegardes = [
        _sauvegarde("a", 1, "a1"),
        _sauvegarde("b", 1, "b1", statut=409, conflit=False, message="Erreur"),
        _sauvegarde("b", 1, "b2", statut=409, conflit=True, message=CONFLIT),
    ]
    etats = {1: EtatDossier(version=2, resume="a1", montant=100, journal={"a1", "b2"})}
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    assert len(verification.conflits_non_signales) == 1
    assert len(verification.refus_ecrits) == 1
    assert "« b2 » refusé mais écrit" in verification.refus_ecrits[0][1]


def test_version_inattendue_apres_un_enregistrement():
    sauvegarde = _sauvegarde("a", 1, "a1")
    sauvegarde.version_rendue = 1  # acknowledged, but the version did not move
    etats = {1: EtatDossier(version=1, resume="a1", montant=100, journal={"a1"})}
    verification = mesures.verifier_sauvegardes([sauvegarde], etats)
    assert len(verification.incoherences) == 1


def _resultat(**modifications):
    resultat = {
        "parametres": {"duree": 60, "utilisateurs": 50, "porteurs": 41, "instructeurs": 8,
                       "comite": 1, "pause": 1.0, "workers": 5, "volume": 1000},
        "durees": {"preparation": 40.0, "fenetre": 61.0, "verification": 0.2, "totale": 110.0},
        "requetes": mesures.resume_requetes(
            [Requete("accueil", "GET", 200, 0.05), Requete("porteur : mes dossiers", "GET", 200,
                                                            0.07)],
            connexions=1, duree=61.0,
        ),
        "sauvegardes": mesures.Verification(acquittees=12, refusees=3).en_dict(),
        "instructions": {"conclues": 4, "absentes": [], "refusees": []},
        "fichiers": {"obtenus": [["xlsx", 2.5]], "echecs": []},
        "serveur": {"erreurs_journal": 0, "courriels": 2},
        "champs_refuses": [],
    }
    resultat.update(modifications)
    return resultat


def test_rapport_et_verdict():
    resultat = _resultat()
    texte = mesures.rapport(resultat)
    assert "**Erreurs : 0**" in texte
    assert "12 acquittés, 3 refusés pour conflit, 0 sans réponse ; **perdus : 0**" in texte
    assert "| porteur : mes dossiers | 1 | 0 | 70 | 70 | 70 |" in texte
    assert mesures.reussi(resultat)

    # On a shared machine, the CPU spent per request says more than the latencies.
    resultat = _resultat(
        cpu={"gunicorn": 0.08, "worker": 0.5, "base": 0.02, "client": 0.1, "duree": 61.0},
        machine={"coeurs": 2, "charge_moyenne": [3.5, 7.25]},
    )
    texte = mesures.rapport(resultat)
    assert "soit 100 ms de CPU (gunicorn + PostgreSQL) par requête" in texte
    assert "charge moyenne (1 min) 3,5 avant les connexions, 7,25 à la fin" in texte
    assert "(de 2,5 à 2,5 s de la demande au fichier)" in texte

    perte = mesures.Verification(acquittees=1, perdues=[(7, "« x » absent")]).en_dict()
    resultat = _resultat(sauvegardes=perte)
    assert "- dossier 7 : « x » absent" in mesures.rapport(resultat)
    assert not mesures.reussi(resultat)
    assert not mesures.reussi(_resultat(serveur={"erreurs_journal": 1, "courriels": 0}))
    # An autosave that kept a typed value out (field error) is a failure too.
    assert not mesures.reussi(_resultat(champs_refuses=[["a@b.test", {"resume": ["Trop long"]}]]))


# --- Forms, bodies, labels -----------------------------------------------------------------------

PAGE = """
<form id="autre"><input name="q" value="x"></form>
<form method="post" id="formulaire-dossier" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="jeton">
  <input type="hidden" name="version" value="4">
  <input type="hidden" name="sections" value="identite">
  <input type="hidden" name="sections" value="projet">
  <input type="text" name="intitule" value="L&#x27;atelier &amp; co">
  <textarea name="resume">
Première ligne</textarea>
  <input type="checkbox" name="public_6_11" checked>
  <input type="checkbox" name="public_0_5">
  <input type="radio" name="avis" value="favorable">
  <input type="radio" name="avis" value="defavorable" checked>
  <select name="quartiers" multiple><option value="1" selected>A</option>
    <option value="2">B</option><option value="3" selected>C</option></select>
  <select name="type_piece"><option value="">—</option><option value="rib">RIB</option></select>
  <input type="file" name="fichier">
  <input type="text" name="bloque" value="z" disabled>
  <fieldset disabled><input name="section_fermee" value="y"></fieldset>
  <button type="submit" name="enregistrer" value="projet">Enregistrer</button>
</form>
"""


def test_formulaire_lu_comme_le_navigateur_l_envoie():
    form = client.formulaire(PAGE, identifiant="formulaire-dossier")
    assert form.champs == [
        ("csrfmiddlewaretoken", "jeton"), ("version", "4"), ("sections", "identite"),
        ("sections", "projet"), ("intitule", "L'atelier & co"), ("resume", "Première ligne"),
        ("public_6_11", "on"), ("avis", "defavorable"), ("quartiers", "1"), ("quartiers", "3"),
        ("type_piece", ""),
    ]
    assert form.choix == {"avis": ["favorable", "defavorable"]}
    form.remplacer("resume", "Nouveau")
    form.remplacer("ligne_60", 120)
    assert form.valeur("resume") == "Nouveau"
    assert form.champs[5] == ("resume", "Nouveau")
    assert form.champs[-1] == ("ligne_60", "120")
    assert client.formulaire(PAGE, champ="q").attributs["id"] == "autre"
    assert client.formulaire(PAGE, identifiant="absent") is None


def test_sections_remplacees_comme_le_fait_le_script():
    form = client.Formulaire({}, [("version", "2"), ("exigence_1", "ancienne"), ("resume", "r")])
    client.remplacer_sections(form, {
        "cahier": '<textarea name="exigence_7"></textarea>',
        "indicateurs": '<input name="indicateur_3_valeur" value="">',
    }, ("exigence_", "indicateur_"))
    assert form.champs == [
        ("version", "2"), ("resume", "r"), ("exigence_7", ""), ("indicateur_3_valeur", ""),
    ]


def test_corps_multipart_lu_par_django():
    champs = [("sections", "identite"), ("sections", "projet"), ("resume", "Été\r\nà Alès")]
    corps, type_contenu = client.encoder_multipart(champs)
    requete = RequestFactory().post("/", data=corps, content_type=type_contenu)
    assert requete.POST.getlist("sections") == ["identite", "projet"]
    assert requete.POST["resume"] == "Été\r\nà Alès"


def test_libelles_des_pages():
    assert client.libelle("GET", "/dossiers/12/modifier/") == "porteur : formulaire du dossier"
    assert client.libelle("POST", "/dossiers/12/modifier/") == (
        "porteur : enregistrement automatique"
    )
    assert client.libelle("GET", "/instruction/appels/3/?page=2") == "instruction : file"
    assert client.libelle(
        "GET", "/bilans/fichiers/0b5e3c1a-1f0e-4a43-9a55-0c6f4f3d1a2b/etat.json"
    ) == "comité : état de génération"
    assert client.libelle("GET", "/inconnue/") == "autre : /inconnue/"


def test_montant_demande_et_messages_de_la_page():
    html = (
        '<p>Asso — demandé : <strong>12\u202f345\u00a0€</strong></p>'
        '<div class="messages"><div class="alert alert-success">L&#x27;instruction est '
        "conclue : le dossier est présenté au comité.</div></div>"
    )
    assert client.montant_demande(html) == 12345
    assert client.montant_demande("<p>rien</p>") is None
    assert client.messages_affiches(html) == [
        "L'instruction est conclue : le dossier est présenté au comité."
    ]


# --- The request recorder -------------------------------------------------------------------------


def test_session_enregistre_chaque_requete_et_ses_erreurs():
    vus = []

    def serveur(requete):
        vus.append(requete)
        chemin = requete.url.path
        if chemin == "/comptes/connexion/" and requete.method == "POST":
            return httpx.Response(302, headers={
                "Location": "/", "Set-Cookie": "sessionid=s1; Path=/; Secure; HttpOnly",
            })
        if chemin == "/comptes/connexion/":
            return httpx.Response(200, text=(
                '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
                'value="t"><input name="username"><input name="password" type="password">'
                "</form>"
            ), headers={"Set-Cookie": "csrftoken=c1; Path=/; Secure"})
        if chemin == "/lent/":
            raise httpx.ReadTimeout("lent", request=requete)
        if chemin == "/panne/":
            return httpx.Response(500)
        return httpx.Response(200)

    async def scenario():
        requetes = []
        session = client.Session(
            "http://127.0.0.1:8000", requetes, transport=httpx.MockTransport(serveur)
        )
        connecte = await client.connecter(session, "a@b.test", "secret")
        await session.requete("GET", "/dossiers/")
        await session.requete("GET", "/panne/")
        await session.requete("GET", "/lent/")
        await session.requete("GET", "/dossiers/", attendus=(204,))
        await session.fermer()
        return connecte, requetes

    connecte, requetes = _executer(scenario())
    assert connecte
    assert [(r.page, r.statut, r.erreur) for r in requetes] == [
        ("connexion", 200, ""),
        ("connexion (envoi)", 302, ""),
        ("accueil", 200, ""),
        ("porteur : mes dossiers", 200, ""),
        ("autre : /panne/", 500, "500"),
        ("autre : /lent/", None, "délai dépassé"),
        ("porteur : mes dossiers", 200, "statut inattendu 200"),
    ]
    envoi = vus[1]
    # Behind the (simulated) TLS proxy: the Secure cookies go back, the POST has its origin.
    assert envoi.headers["Cookie"] == "csrftoken=c1"
    assert envoi.headers["Origin"] == "https://127.0.0.1:8000"
    assert envoi.headers["X-Forwarded-Proto"] == "https"
    assert "sessionid=s1" in vus[3].headers["Cookie"]


# --- Command line, mail sink ---------------------------------------------------------------------


def test_repartition_et_base_locale():
    assert charge.repartition(50) == (41, 8, 1)
    assert charge.repartition(10, instructeurs=2, comite=0) == (8, 2, 0)
    with pytest.raises(SystemExit):
        charge.repartition(3)
    with pytest.raises(SystemExit):
        charge.verifier_locale("postgres://postgres@db.example.org:5432/portail_charge")
    args = charge.arguments([])
    assert (args.duree, args.utilisateurs, args.porteurs) == (60, 50, 41)
    assert args.plafond >= args.duree + args.attente


def test_puits_smtp_compte_les_courriels():
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.test", "c@d.test", "Essai"
    message.set_content("Bonjour\n.\nUne ligne avec un point seul, doublé par smtplib.")
    with smtp.PuitsSMTP() as puits, smtplib.SMTP("127.0.0.1", puits.port, timeout=120) as envoi:
        envoi.send_message(message)
        envoi.send_message(message)
        envoi.quit()
        assert puits.courriels == 2


# --- Against the application: accounts, autosaves, the check ------------------------------------


@pytest.fixture
def donnees(db):
    from tests.candidatures.factories import AppelAProjetsFactory, DossierFactory

    AppelAProjetsFactory()
    passe = AppelAProjetsFactory(annee=2020, clos=True)
    a_instruire = [DossierFactory(appel=passe, depose=True),
                   DossierFactory(appel=passe, en_instruction=True)]
    DossierFactory(appel=passe, instruit=True)
    comptes = importlib.import_module("charge_donnees")
    resultat = comptes.preparer(
        porteurs=3, instructeurs=2, comite=1, mot_de_passe="mot-de-passe-de-charge",
        annee_volume=2020,
    )
    return comptes, resultat, a_instruire


def test_comptes_simules(donnees):
    from candidatures.models import Utilisateur
    from referentiel.models import Contrat

    _comptes, resultat, a_instruire = donnees
    premier, deuxieme, binome = resultat["porteurs"]
    # The last porteur shares the first one's draft: the pair whose saves collide.
    assert binome["dossier"] == premier["dossier"] != deuxieme["dossier"]
    assert premier["binome"] and binome["binome"] and not deuxieme["binome"]
    assert sorted(
        pk for c in resultat["instructeurs"] for pk in c["dossiers"]
    ) == sorted(d.pk for d in a_instruire)
    contrat = Contrat.objects.par_defaut()
    instructeur = Utilisateur.objects.get(email=resultat["instructeurs"][0]["email"])
    comite = Utilisateur.objects.get(email=resultat["comite"][0]["email"])
    assert instructeur.est_instructeur_de(contrat.pk) and not instructeur.est_comite_de(contrat.pk)
    assert comite.est_comite_de(contrat.pk)
    assert instructeur.check_password("mot-de-passe-de-charge")
    assert instructeur.email_confirme_le is not None


def _autosave(navigateur, url, form, valeur, montant):
    form.remplacer("resume", valeur)
    form.remplacer("ligne_60", montant)
    corps, type_contenu = client.encoder_multipart(form.champs)
    reponse = navigateur.post(
        url, data=corps, content_type=type_contenu, headers={"x-requested-with": "fetch"}
    )
    return reponse, reponse.json()


def test_enregistrements_concurrents_verifies_en_base(donnees):
    """Two members autosave the same draft as the load test does: no save lost, one conflict."""
    from django.test import Client

    from candidatures.models import Utilisateur

    comptes, resultat, _a_instruire = donnees
    premier, _deuxieme, binome = resultat["porteurs"]
    url = f"/dossiers/{premier['dossier']}/modifier/"
    navigateurs, formulaires = {}, {}
    for compte in (premier, binome):
        navigateur = Client()
        navigateur.force_login(Utilisateur.objects.get(email=compte["email"]))
        page = navigateur.get(url)
        navigateurs[compte["email"]] = navigateur
        formulaires[compte["email"]] = client.formulaire(
            page.content.decode(), identifiant="formulaire-dossier"
        )
    sauvegardes = []
    for qui, valeur, montant in (
        (premier["email"], "Premier jet", 1200),
        (binome["email"], "Jet concurrent", 900),  # read before the first save: refused
        (premier["email"], "Deuxième jet", 1500),
    ):
        form = formulaires[qui]
        version = int(form.valeur("version"))
        reponse, contenu = _autosave(navigateurs[qui], url, form, valeur, montant)
        sauvegardes.append(Sauvegarde(
            dossier=premier["dossier"], utilisateur=qui, version_envoyee=version, valeur=valeur,
            montant=montant, statut=reponse.status_code, version_rendue=contenu["version"],
            conflit=bool(contenu.get("conflit")), message=contenu.get("message", ""),
        ))
        if reponse.status_code == 200:
            assert contenu["erreurs"] == {}
            form.remplacer("version", contenu["version"])
    assert [s.statut for s in sauvegardes] == [200, 409, 200]

    etats = comptes.etats_dossiers([premier["dossier"]], "60")
    assert etats[premier["dossier"]].resume == "Deuxième jet"
    assert etats[premier["dossier"]].montant == 1500
    verification = mesures.verifier_sauvegardes(sauvegardes, etats)
    assert (verification.acquittees, verification.refusees) == (2, 1)
    assert verification.anomalies == 0

    # Had the refused save been written, the check would say so.
    sauvegardes[1].statut = 200
    sauvegardes[1].version_rendue = sauvegardes[1].version_envoyee + 1
    assert mesures.verifier_sauvegardes(sauvegardes, etats).perdues


def test_conclusions_retrouvees_en_base(donnees):
    from candidatures.models import Utilisateur
    from evaluation.models import Instruction

    comptes, resultat, a_instruire = donnees
    email = resultat["instructeurs"][0]["email"]
    conclu, en_cours = a_instruire[1], a_instruire[0]
    Instruction.objects.create(
        dossier=conclu, conclue_par=Utilisateur.objects.get(email=email)
    )
    type(conclu).objects.filter(pk=conclu.pk).update(statut="instruit")
    absentes = comptes.conclusions_absentes({conclu.pk: email, en_cours.pk: email})
    assert [pk for pk, _texte in absentes] == [en_cours.pk]


def test_connexion_qui_mene_a_une_autre_etape_est_un_echec():
    """A sign-in that lands on a further step (a second factor…) is not a signed-in user."""

    def serveur(requete):
        if requete.method == "POST":
            return httpx.Response(302, headers={
                "Location": "/comptes/code/", "Set-Cookie": "sessionid=s1; Path=/; Secure",
            })
        return httpx.Response(200, text=(
            '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">'
            "</form>"
        ))

    async def scenario():
        session = client.Session(
            "http://127.0.0.1:8000", [], transport=httpx.MockTransport(serveur)
        )
        try:
            return await client.connecter(session, "a@b.test", "secret")
        finally:
            await session.fermer()

    assert _executer(scenario()) is False
