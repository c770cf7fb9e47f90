"""Load test, the simulated users: porteurs autosaving drafts, instructeurs, a comité member.

Each user is a coroutine looping until the end of the window, with a random think time between
actions; what it sees is recorded in the shared ``Contexte`` (requests, saves, conclusions).
"""

import asyncio
import random
import secrets
import time
from dataclasses import dataclass, field

from charge_client import (
    Session,
    connecter,
    encoder_multipart,
    formulaire,
    messages_affiches,
    montant_demande,
    remplacer_sections,
)
from charge_mesures import Sauvegarde

CODE_BUDGET = "60"  # the budget line every autosave changes, beside the résumé
SUCCES_CONCLUSION = "L'instruction est conclue"


@dataclass
class Contexte:
    base: str
    donnees: dict
    fin: float  # time.monotonic() at which users stop starting new actions
    fin_attente: float  # … and at which a background file is no longer waited for
    pause: float = 1.0
    requetes: list = field(default_factory=list)
    sauvegardes: list = field(default_factory=list)
    champs_refuses: list = field(default_factory=list)
    conclusions: dict = field(default_factory=dict)  # dossier id → e-mail, seen concluded
    conclusions_refusees: list = field(default_factory=list)
    generations: list = field(default_factory=list)  # (format, seconds until the file)
    generations_echouees: list = field(default_factory=list)
    connexions: int = 0  # requests made signing in, before the window
    duree_reelle: float = 0.0  # from the first user's start to the last one's end
    interrompus: int = 0  # users still busy when the waiting time ran out
    sondes: list = field(default_factory=list)  # what ``sonde()`` said at start and end

    def reste(self):
        return time.monotonic() < self.fin

    async def attendre(self, hasard, facteur=1.0):
        """Think time: 0.5 to 1.5 times the pause, cut at the end of the window."""
        delai = hasard.uniform(0.5, 1.5) * self.pause * facteur
        await asyncio.sleep(max(0.0, min(delai, self.fin - time.monotonic())))


def _champs_en_dict(champs):
    resultat = {}
    for nom, valeur in champs:
        resultat.setdefault(nom, []).append(valeur)
    return resultat


def _json(reponse):
    try:
        return reponse.json()
    except ValueError:
        return {}


# --- Porteurs -------------------------------------------------------------------------------------


async def _ouvrir_formulaire(session, url):
    reponse = await session.requete("GET", url)
    if reponse is None or reponse.status_code != 200:
        return None
    return formulaire(reponse.text, identifiant="formulaire-dossier")


async def _sauvegarder(session, ctx, compte, form, url, numero, hasard):
    """One autosave, as static/js/dossier.js sends it; True if it went through.

    On an empty draft the porteur first picks the main action (the answer then carries the
    cahier des charges and indicators sections, swapped into the form as the script does).
    """
    valeur = f"Résumé de {compte['email']}, frappe {numero} ({secrets.token_hex(4)})"
    montant = hasard.randint(100, 99_999)
    if not form.valeur("action_principale") and ctx.donnees.get("codes_actions"):
        form.remplacer("action_principale", hasard.choice(ctx.donnees["codes_actions"]))
    form.remplacer("resume", valeur)
    form.remplacer(f"ligne_{CODE_BUDGET}", montant)
    version = int(form.valeur("version"))
    corps, type_contenu = encoder_multipart(form.champs)
    reponse = await session.requete(
        "POST", url, content=corps, attendus=(200, 409),
        headers={"Content-Type": type_contenu, "X-Requested-With": "fetch"},
    )
    sauvegarde = Sauvegarde(
        dossier=compte["dossier"], utilisateur=compte["email"], version_envoyee=version,
        valeur=valeur, montant=montant,
        statut=reponse.status_code if reponse is not None else None,
    )
    contenu = _json(reponse) if reponse is not None else {}
    sauvegarde.version_rendue = contenu.get("version")
    sauvegarde.conflit = bool(contenu.get("conflit"))
    sauvegarde.message = contenu.get("message", "")
    ctx.sauvegardes.append(sauvegarde)
    if not sauvegarde.acquittee:
        return False
    if contenu.get("erreurs"):
        ctx.champs_refuses.append((compte["email"], contenu["erreurs"]))
    if contenu.get("sections_html"):
        remplacer_sections(form, contenu["sections_html"], ("exigence_", "indicateur_"))
    form.remplacer("version", contenu["version"])
    return True


async def porteur(session, ctx, compte, hasard):
    """Open the draft, type, autosave a few times; after a conflict, reload the page.

    After a 409 the page's script suspends autosave and tells the user; the simulated user then
    reloads the form (the other member's save) and goes on typing.
    """
    url = f"/dossiers/{compte['dossier']}/modifier/"
    numero = 0
    while ctx.reste():
        await session.requete("GET", "/dossiers/")
        await ctx.attendre(hasard)
        form = await _ouvrir_formulaire(session, url) if ctx.reste() else None
        for _ in range(hasard.randint(3, 8) if form else 0):
            await ctx.attendre(hasard)
            if not ctx.reste():
                return
            numero += 1
            if not await _sauvegarder(session, ctx, compte, form, url, numero, hasard):
                break
        await ctx.attendre(hasard)
        tirage = hasard.random()
        if ctx.reste() and tirage < 0.25:
            await session.requete("GET", f"/dossiers/{compte['dossier']}/")
        elif ctx.reste() and tirage < 0.4:
            await session.requete("GET", f"/dossiers/{compte['dossier']}/apercu/")


# --- Instructeurs ---------------------------------------------------------------------------------


def _remplir_instruction(form, html, email):
    """Every requirement judged, an avis, an amount within what was asked, a synthesis."""
    for nom in form.choix:
        if nom.startswith("verdict_"):
            form.remplacer(nom, "conforme")
    montant = montant_demande(html)
    if montant:
        form.remplacer("avis", "favorable")
        form.remplacer("montant_propose", max(1, montant * 8 // 10))
    else:
        form.remplacer("avis", "defavorable")
        form.remplacer("montant_propose", "")
    form.remplacer("synthese", f"Action conforme au cahier des charges (instruite par {email}).")
    form.champs.append(("conclure", ""))


async def _instruire(session, ctx, pk, email, hasard):
    """Take the dossier in if needed, fill the checklist and the avis, conclude."""
    url = f"/instruction/dossiers/{pk}/"
    reponse = await session.requete("GET", url)
    if reponse is None or reponse.status_code != 200:
        return
    prise = formulaire(reponse.text, action=f"{url}prendre/")
    if prise is not None:
        await ctx.attendre(hasard)
        reponse = await session.requete(
            "POST", f"{url}prendre/", data=_champs_en_dict(prise.champs)
        )
        if reponse is None or reponse.status_code != 200:
            return
    form = formulaire(reponse.text, action=url, champ="version")
    if form is None:
        return
    await ctx.attendre(hasard, facteur=2)  # reading the dossier
    _remplir_instruction(form, reponse.text, email)
    reponse = await session.requete("POST", url, data=_champs_en_dict(form.champs))
    if reponse is None or reponse.status_code != 200:
        return
    messages = messages_affiches(reponse.text)
    if any(m.startswith(SUCCES_CONCLUSION) for m in messages):
        ctx.conclusions[pk] = email
    else:
        ctx.conclusions_refusees.append((pk, email, messages))


async def instructeur(session, ctx, compte, hasard):
    """Browse the queue (pages, filters, sorts), open dossiers, conclude the ones given."""
    a_instruire = list(compte["dossiers"])
    appel = ctx.donnees["appel_volume"]
    pages = max(1, len(ctx.donnees["dossiers_volume"]) // 50)
    while ctx.reste():
        await session.requete("GET", "/instruction/")
        await ctx.attendre(hasard)
        parametres = hasard.choice([
            {"page": hasard.randint(1, pages)},
            {"statut": "en_instruction"},
            {"tri": "-montant", "page": hasard.randint(1, pages)},
            {"q": "proximité", "tri": "structure"},
            {"instructeur": "moi"},
        ])
        await session.requete("GET", f"/instruction/appels/{appel}/", params=parametres)
        await ctx.attendre(hasard)
        if not ctx.reste():
            return
        if a_instruire:
            await _instruire(session, ctx, a_instruire.pop(0), compte["email"], hasard)
        else:
            pk = hasard.choice(ctx.donnees["dossiers_volume"])
            await session.requete("GET", f"/instruction/dossiers/{pk}/")
            if hasard.random() < 0.5:
                await ctx.attendre(hasard)
                await session.requete("GET", f"/instruction/dossiers/{pk}/suivi/")
        await ctx.attendre(hasard)


# --- Comité ---------------------------------------------------------------------------------------


async def _bilan(session, ctx, format, filtre):
    """Ask for the annual bilan file; when it is built in the background, poll, then download."""
    debut = time.monotonic()
    reponse = await session.requete(
        "GET", f"/bilans/annuels/bilan.{format}", params=filtre, suivre=False,
        attendus=(200, 302),
    )
    if reponse is None or reponse.status_code != 302:
        if reponse is not None and reponse.status_code == 200:
            ctx.generations.append((format, time.monotonic() - debut))
        return
    adresse = reponse.headers["location"]
    if "/telecharger/" not in adresse:
        await session.requete("GET", adresse)  # the progress page the browser lands on
        etat = adresse.rstrip("/") + "/etat.json"
        while True:
            reponse = await session.requete("GET", etat)
            contenu = _json(reponse) if reponse is not None else {}
            if contenu.get("etat") in ("terminee", "echec") or time.monotonic() > ctx.fin_attente:
                break
            await asyncio.sleep(1.0)
        if contenu.get("etat") != "terminee":
            ctx.generations_echouees.append((format, contenu.get("etat"), contenu.get("message")))
            return
        adresse = contenu["fichier"]
    reponse = await session.requete("GET", adresse)
    if reponse is not None and reponse.status_code == 200 and reponse.content:
        ctx.generations.append((format, time.monotonic() - debut))


async def comite(session, ctx, compte, hasard):
    """Programmation, the bilans dashboard, exports, and the annual bilan files."""
    appel = ctx.donnees["appel_volume"]
    annee = ctx.donnees["annee_volume"]
    filtre = {"annee_debut": annee, "annee_fin": annee}
    etapes = [
        ("GET", f"/instruction/appels/{appel}/programmation/", None),
        ("GET", "/bilans/annuels/", None),
        ("GET", "/bilans/annuels/", filtre),
    ]
    exports = [
        f"/instruction/appels/{appel}/dossiers.csv",
        f"/instruction/appels/{appel}/dossiers.xlsx",
        f"/instruction/appels/{appel}/subventions.csv",
    ]
    formats = ["xlsx", "pdf"]
    tour = 0
    while ctx.reste():
        for methode, url, parametres in etapes:
            await session.requete(methode, url, params=parametres)
            await ctx.attendre(hasard)
            if not ctx.reste():
                return
        await session.requete("GET", exports[tour % len(exports)])
        await ctx.attendre(hasard)
        if ctx.reste():
            await _bilan(session, ctx, formats[tour % len(formats)], filtre)
        tour += 1
        await ctx.attendre(hasard)


# --- The run --------------------------------------------------------------------------------------

ROLES = {"porteurs": porteur, "instructeurs": instructeur, "comite": comite}


async def simuler(
    base, donnees, mot_de_passe, *, duree, pause, attente, graine=1, sonde=None
):
    """Sign every user in (before the window), run them for ``duree`` seconds, return the context.

    Users stop starting actions at the end of the window; what is in flight then may run
    ``attente`` seconds more (a background file being waited for, a slow answer). ``sonde()``,
    if given, is called when the users start and once they are all done.
    """
    ctx = Contexte(base=base, donnees=donnees, fin=0.0, fin_attente=0.0, pause=pause)
    utilisateurs = [
        (role, compte, random.Random(f"{graine}-{compte['email']}"), Session(base, ctx.requetes))
        for role in ROLES for compte in donnees[role]
    ]
    try:
        limite = asyncio.Semaphore(4)

        async def connexion(compte, session):
            async with limite:
                return await connecter(session, compte["email"], mot_de_passe)

        reussies = await asyncio.gather(*(connexion(c, s) for _r, c, _h, s in utilisateurs))
        echecs = [u[1]["email"] for ok, u in zip(reussies, utilisateurs, strict=True) if not ok]
        if echecs:
            raise RuntimeError(f"Connexion impossible pour {', '.join(echecs)}")
        connexions = len(ctx.requetes)
        ctx.fin = time.monotonic() + duree
        ctx.fin_attente = ctx.fin + attente

        async def utilisateur(role, compte, hasard, session):
            await asyncio.sleep(hasard.uniform(0, pause))  # not all in step
            await ROLES[role](session, ctx, compte, hasard)

        if sonde:
            ctx.sondes.append(sonde())
        taches = [asyncio.create_task(utilisateur(*u)) for u in utilisateurs]
        debut = time.monotonic()
        _faites, en_cours = await asyncio.wait(taches, timeout=duree + attente)
        for tache in en_cours:
            tache.cancel()
        await asyncio.gather(*taches, return_exceptions=True)
        for tache in taches:
            if not tache.cancelled() and tache.exception() is not None:
                raise tache.exception()
        ctx.duree_reelle = time.monotonic() - debut
        if sonde:
            ctx.sondes.append(sonde())
        ctx.interrompus = len(en_cours)
        ctx.connexions = connexions
        return ctx
    finally:
        await asyncio.gather(*(u[3].fermer() for u in utilisateurs), return_exceptions=True)
