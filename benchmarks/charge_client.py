"""Load test, client side: an httpx session that records every request, and HTML forms read
as a browser would send them.

The server runs with the production settings behind a simulated TLS proxy: every request says
``X-Forwarded-Proto: https`` (as the proxy would) and the session sends the ``Secure`` cookies
over the plain connection to 127.0.0.1 (as the browser would over the proxy's HTTPS).
"""

import re
import secrets
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from charge_mesures import Requete

# --- Forms ----------------------------------------------------------------------------------------


@dataclass
class Formulaire:
    """A <form>: its attributes, and its fields in page order as the browser's FormData."""

    attributs: dict
    champs: list = field(default_factory=list)  # (name, value) that would be sent
    choix: dict = field(default_factory=dict)  # radio name → every value offered

    def valeur(self, nom, defaut=None):
        for n, v in self.champs:
            if n == nom:
                return v
        return defaut

    def remplacer(self, nom, valeur):
        """Set a single-valued field (added at the end if the form had none sent)."""
        champs = [(n, v) for n, v in self.champs if n != nom]
        position = next((i for i, (n, _v) in enumerate(self.champs) if n == nom), len(champs))
        champs.insert(position, (nom, str(valeur)))
        self.champs = champs

    def copie(self):
        return Formulaire(dict(self.attributs), list(self.champs), dict(self.choix))


class _Lecteur(HTMLParser):
    """Collect the forms of a page and the value each of their fields would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.formulaires = []
        self._courant = None
        self._textarea = None
        self._select = None
        self._fieldsets = []  # one boolean per open <fieldset>: is it disabled?

    def handle_starttag(self, balise, attrs):
        attributs = {k: (v if v is not None else "") for k, v in attrs}
        if balise == "form":
            self._courant = Formulaire(attributs)
            self.formulaires.append(self._courant)
            return
        if balise == "fieldset":
            self._fieldsets.append("disabled" in attributs)
            return
        # A disabled field, or one in a disabled <fieldset>, is not sent.
        if self._courant is None or "disabled" in attributs or any(self._fieldsets):
            if balise == "select":
                self._select = None
            return
        nom = attributs.get("name")
        if balise == "input" and nom:
            self._input(nom, attributs)
        elif balise == "textarea" and nom:
            self._textarea = [nom, []]
        elif balise == "select" and nom:
            self._select = {"nom": nom, "multiple": "multiple" in attributs, "options": []}
        elif balise == "option" and self._select is not None:
            self._select["options"].append(
                [attributs.get("value"), "selected" in attributs, []]
            )

    def _input(self, nom, attributs):
        genre = attributs.get("type", "text").lower()
        if genre in ("submit", "button", "reset", "image", "file"):
            return
        valeur = attributs.get("value", "")
        if genre in ("checkbox", "radio"):
            if genre == "radio":
                self._courant.choix.setdefault(nom, []).append(valeur)
            if "checked" not in attributs:
                return
            valeur = attributs.get("value", "on")
        self._courant.champs.append((nom, valeur))

    def handle_data(self, donnees):
        if self._textarea is not None:
            self._textarea[1].append(donnees)
        elif self._select is not None and self._select["options"]:
            self._select["options"][-1][2].append(donnees)

    def handle_endtag(self, balise):
        if balise == "form":
            self._courant = None
        elif balise == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif balise == "textarea" and self._textarea is not None:
            nom, morceaux = self._textarea
            texte = "".join(morceaux)
            # The HTML parser keeps the newline browsers drop right after <textarea>.
            if texte.startswith("\r\n"):
                texte = texte[2:]
            elif texte.startswith("\n"):
                texte = texte[1:]
            self._courant.champs.append((nom, texte))
            self._textarea = None
        elif balise == "select" and self._select is not None:
            self._fermer_select()

    def _fermer_select(self):
        select, self._select = self._select, None
        options = [
            (valeur if valeur is not None else "".join(texte).strip(), choisie)
            for valeur, choisie, texte in select["options"]
        ]
        choisies = [valeur for valeur, choisie in options if choisie]
        if not choisies and not select["multiple"] and options:
            choisies = [options[0][0]]
        if not select["multiple"]:
            choisies = choisies[-1:]
        for valeur in choisies:
            self._courant.champs.append((select["nom"], valeur))


def formulaires(html):
    """Every form of the page, with what the browser would send for each."""
    lecteur = _Lecteur()
    lecteur.feed(html)
    lecteur.close()
    return lecteur.formulaires


def formulaire(html, *, identifiant=None, action=None, champ=None):
    """The first form with this id, or whose action ends with ``action``, or holding ``champ``."""
    for f in formulaires(html):
        if identifiant is not None and f.attributs.get("id") != identifiant:
            continue
        if action is not None and not f.attributs.get("action", "").endswith(action):
            continue
        if champ is not None and f.valeur(champ) is None and champ not in f.choix:
            continue
        return f
    return None


def remplacer_sections(form, sections_html, prefixes):
    """Swap in the fields of re-rendered sections, as the page's script swaps their HTML.

    The fields whose names start with one of ``prefixes`` are dropped, then those of the new
    fragments (``sections_html``: section → HTML) are added.
    """
    nouveaux = []
    for fragment in sections_html.values():
        lu = formulaire(f"<form>{fragment}</form>")
        nouveaux += lu.champs if lu else []
    form.champs = [(n, v) for n, v in form.champs if not n.startswith(tuple(prefixes))]
    form.champs += nouveaux


def encoder_multipart(champs, frontiere=None):
    """``multipart/form-data`` body of (name, value) pairs, as fetch() sends a FormData."""
    frontiere = frontiere or "----charge" + secrets.token_hex(12)
    morceaux = []
    for nom, valeur in champs:
        morceaux.append(
            f'--{frontiere}\r\nContent-Disposition: form-data; name="{nom}"\r\n\r\n'
            f"{valeur}\r\n".encode()
        )
    morceaux.append(f"--{frontiere}--\r\n".encode())
    return b"".join(morceaux), f"multipart/form-data; boundary={frontiere}"


MESSAGE = re.compile(r'<div class="alert[^"]*">(.*?)</div>', re.S)


def messages_affiches(html):
    """The messages (django.contrib.messages) the page shows, as read on screen."""
    return [re.sub(r"\s+", " ", unescape(m)).strip() for m in MESSAGE.findall(html)]


MONTANT = re.compile(r"demandé : <strong>([\d\s\u00a0\u202f.]+)\s*€")


def montant_demande(html):
    """The amount asked for, as the instruction page shows it (None if not found)."""
    trouve = MONTANT.search(html)
    if not trouve:
        return None
    chiffres = re.sub(r"\D", "", unescape(trouve.group(1)))
    return int(chiffres) if chiffres else None


# --- Page labels ----------------------------------------------------------------------------------

ROUTES = [
    (r"/", "accueil"),
    (r"/comptes/connexion/", "connexion"),
    (r"/dossiers/", "porteur : mes dossiers"),
    (r"/dossiers/\d+/", "porteur : dossier (résumé)"),
    (r"/dossiers/\d+/modifier/", "porteur : formulaire du dossier"),
    (r"/dossiers/\d+/apercu/", "porteur : aperçu imprimable"),
    (r"/instruction/", "instruction : accueil"),
    (r"/instruction/appels/\d+/", "instruction : file"),
    (r"/instruction/appels/\d+/dossiers\.xlsx", "comité : export file XLSX"),
    (r"/instruction/appels/\d+/dossiers\.csv", "comité : export file CSV"),
    (r"/instruction/appels/\d+/subventions\.csv", "comité : export subventions SCDL"),
    (r"/instruction/appels/\d+/programmation/", "comité : programmation"),
    (r"/instruction/dossiers/\d+/", "instruction : dossier"),
    (r"/instruction/dossiers/\d+/prendre/", "instruction : prendre en instruction"),
    (r"/instruction/dossiers/\d+/suivi/", "instruction : suivi du dossier"),
    (r"/bilans/annuels/", "comité : tableau de bord des bilans"),
    (r"/bilans/annuels/bilan\.xlsx", "comité : demande du bilan XLSX"),
    (r"/bilans/annuels/bilan\.pdf", "comité : demande du bilan PDF"),
    (r"/bilans/fichiers/[0-9a-f-]+/", "comité : page de génération"),
    (r"/bilans/fichiers/[0-9a-f-]+/etat\.json", "comité : état de génération"),
    (r"/bilans/fichiers/[0-9a-f-]+/telecharger/", "comité : fichier de bilan"),
]
ROUTES = [(re.compile(motif + r"\Z"), nom) for motif, nom in ROUTES]
LIBELLES_POST = {
    "porteur : formulaire du dossier": "porteur : enregistrement automatique",
    "instruction : dossier": "instruction : enregistrer et conclure",
}


def libelle(methode, url):
    """The page label of a request, from its path (the same for every dossier or file)."""
    chemin = urlsplit(url).path
    for motif, nom in ROUTES:
        if motif.match(chemin):
            if methode == "POST":
                return LIBELLES_POST.get(nom, nom)
            return nom
    return f"autre : {chemin}"


# --- Session --------------------------------------------------------------------------------------


class Session:
    """One simulated user: its cookies, and a record of every request it makes."""

    def __init__(self, base, requetes, *, delai=30.0, transport=None):
        self.base = base.rstrip("/")
        self.requetes = requetes
        origine = "https://" + urlsplit(self.base).netloc
        self.origine = origine
        self.client = httpx.AsyncClient(
            base_url=self.base,
            headers={"X-Forwarded-Proto": "https", "User-Agent": "charge-contrat-ville"},
            timeout=delai,
            follow_redirects=False,
            transport=transport,
            event_hooks={"request": [self._cookies]},
        )

    async def _cookies(self, requete):
        """Send every cookie of the jar, Secure ones included (httpx keeps those for https)."""
        cookies = [c for c in self.client.cookies.jar if not c.is_expired()]
        if cookies:
            requete.headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in cookies)

    async def fermer(self):
        await self.client.aclose()

    async def requete(self, methode, url, *, attendus=(200,), suivre=True, page=None, **options):
        """Send one request (and follow its redirects, each recorded); return the last answer.

        A status outside ``attendus`` (after redirects), a 5xx, a timeout or a lost connection
        is recorded as an error; the answer is returned all the same (None if there is none).
        """
        entetes = dict(options.pop("headers", {}))
        if methode == "POST":
            # Browsers send the origin of a POST; Django's CSRF check compares it to the host.
            entetes.setdefault("Origin", self.origine)
        nom = page or libelle(methode, url)
        while True:
            debut = time.perf_counter()
            try:
                reponse = await self.client.request(methode, url, headers=entetes, **options)
            except httpx.TimeoutException:
                self._noter(nom, methode, None, debut, "délai dépassé")
                return None
            except httpx.HTTPError as erreur:
                self._noter(nom, methode, None, debut, f"connexion ({type(erreur).__name__})")
                return None
            redirection = reponse.is_redirect and suivre
            if reponse.status_code >= 500:
                erreur = f"{reponse.status_code}"
            elif redirection or reponse.status_code in attendus:
                erreur = ""
            else:
                erreur = f"statut inattendu {reponse.status_code}"
            self._noter(nom, methode, reponse.status_code, debut, erreur)
            if not redirection:
                return reponse
            url = urljoin(str(reponse.url), reponse.headers["location"])
            if urlsplit(url).netloc not in ("", urlsplit(self.base).netloc):
                # The production settings may point elsewhere (HTTPS): stay on the server.
                url = urlsplit(url)._replace(scheme="", netloc="").geturl()
            methode, entetes, options, nom = "GET", {}, {}, libelle("GET", url)

    def _noter(self, page, methode, statut, debut, erreur):
        self.requetes.append(
            Requete(page, methode, statut, time.perf_counter() - debut, erreur)
        )


async def connecter(session, email, mot_de_passe):
    """Sign in through the real form (CSRF token from the page); True once signed in."""
    reponse = await session.requete("GET", "/comptes/connexion/")
    form = reponse is not None and formulaire(reponse.text, champ="csrfmiddlewaretoken")
    if not form:
        return False
    form.remplacer("username", email)
    form.remplacer("password", mot_de_passe)
    reponse = await session.requete(
        "POST", "/comptes/connexion/", data=dict(form.champs), page="connexion (envoi)"
    )
    # Signed in: the session cookie is set and the form led home (not to a further step).
    return (
        reponse is not None and "sessionid" in session.client.cookies
        and urlsplit(str(reponse.url)).path == "/"
    )
