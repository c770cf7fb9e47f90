"""Load test: simulated users on gunicorn + PostgreSQL, and the check that no save was lost.

What it does, within a hard time cap (``--plafond``), everything on 127.0.0.1:

1. recreates the PostgreSQL database ``portail_charge``, migrates it, loads the référentiel
   (``charger_referentiel``), the demo (``demo``) and a past call's volume (``generer_volume``);
   collects the static files into a temporary directory;
2. creates the simulated accounts with the ORM (benchmarks/charge_donnees.py): porteurs with
   a structure and a draft each (the last one shares the first one's draft), instructeurs and
   a comité member with a habilitation on the default contract's territory;
3. starts gunicorn (``contrat_ville.wsgi``, production settings: only environment variables
   set — secret key, host, database, a local mail sink) and ``manage.py db_worker`` beside it;
4. signs every user in through the login form, then runs them for ``--duree`` seconds
   (benchmarks/charge_scenarios.py) with httpx, recording every request;
5. checks in the database that every acknowledged autosave is there (or was replaced by a
   later acknowledged one), that every refused one was answered 409 with the conflict message,
   that every instruction seen concluded is concluded; prints the report (Markdown) and writes
   it as JSON (``--sortie``).

gunicorn and the worker are stopped however the run ends (end, error, Ctrl+C, cap reached).

Usage (from the repository root, after scripts/setup.sh):
    .venv/bin/python benchmarks/charge.py --duree 60 --utilisateurs 50
"""

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from charge_cpu import ecart, instantane
from charge_mesures import rapport, resume_requetes, reussi, verifier_sauvegardes
from charge_scenarios import CODE_BUDGET, simuler
from charge_smtp import PuitsSMTP

RACINE = Path(__file__).resolve().parent.parent
BASE_DEFAUT = "postgres://postgres@127.0.0.1:5432/portail_charge"
MOT_DE_PASSE = "charge-contrat-ville-2026"
HOTES_LOCAUX = {"127.0.0.1", "localhost"}


class PlafondAtteint(BaseException):
    """The hard time cap ran out (a BaseException, so no ``except Exception`` swallows it)."""


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duree", type=int, default=60, help="secondes d'activité simulée")
    parser.add_argument("--utilisateurs", type=int, default=50)
    parser.add_argument("--instructeurs", type=int, default=None,
                        help="par défaut 16 %% des utilisateurs")
    parser.add_argument("--comite", type=int, default=1)
    parser.add_argument("--pause", type=float, default=1.0,
                        help="temps de réflexion moyen entre deux actions (s)")
    parser.add_argument("--attente", type=int, default=45,
                        help="au-delà de la fenêtre, attente maximale de ce qui est en cours (s)")
    parser.add_argument("--volume", type=int, default=1000,
                        help="dossiers de l'appel passé (generer_volume)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--base", default=BASE_DEFAUT, help="URL PostgreSQL (recréée)")
    parser.add_argument("--plafond", type=int, default=600,
                        help="durée maximale de tout le test, préparation comprise (s)")
    parser.add_argument("--sortie", default=str(RACINE / "benchmarks" / "charge_resultats.json"))
    parser.add_argument("--garder", action="store_true",
                        help="garder le répertoire temporaire (journaux) même si tout va bien")
    args = parser.parse_args(argv)
    args.porteurs, args.instructeurs, args.comite = repartition(
        args.utilisateurs, args.instructeurs, args.comite
    )
    verifier_locale(args.base)
    return args


def repartition(utilisateurs, instructeurs=None, comite=1):
    """(porteurs, instructeurs, comité): 16 % instructeurs by default, at least 2 porteurs."""
    if instructeurs is None:
        instructeurs = max(1, round(utilisateurs * 0.16))
    porteurs = utilisateurs - instructeurs - comite
    if porteurs < 2 or instructeurs < 0 or comite < 0:
        raise SystemExit(
            "Il faut au moins 2 porteurs (les deux qui partagent un dossier) : augmentez "
            "--utilisateurs ou réduisez --instructeurs / --comite."
        )
    return porteurs, instructeurs, comite


def verifier_locale(url):
    """Refuse any database that is not on this machine: the test recreates it."""
    hote = urlsplit(url).hostname
    if hote not in HOTES_LOCAUX:
        raise SystemExit(f"La base doit être sur 127.0.0.1 (reçu : {hote}).")
    return url


# --- Processes ------------------------------------------------------------------------------------


class Processus:
    """The processes this test starts, each in its own group, all stopped by ``arreter``."""

    def __init__(self, repertoire):
        self.repertoire = repertoire
        self.lances = {}

    def _ouvrir(self, nom, commande, env):
        journal = open(self.repertoire / f"{nom}.log", "ab")  # closed by _fermer
        processus = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        self.lances[nom] = (processus, journal)
        return processus

    def executer(self, nom, commande, env):
        """Run a setup command to its end; its output goes to ``preparation.log``."""
        processus = self._ouvrir(nom, commande, env)
        code = processus.wait()
        self._fermer(nom)
        if code:
            raise RuntimeError(
                f"Échec de « {' '.join(commande[1:])} » (code {code}) :\n"
                + self.fin_du_journal(nom)
            )

    def lancer(self, nom, commande, env):
        return self._ouvrir(nom, commande, env)

    def fin_du_journal(self, nom, lignes=30):
        chemin = self.repertoire / f"{nom}.log"
        if not chemin.exists():
            return ""
        return "\n".join(chemin.read_text(errors="replace").splitlines()[-lignes:])

    def _fermer(self, nom):
        _processus, journal = self.lances.pop(nom)
        journal.close()

    def arreter(self, nom, delai=10):
        """SIGTERM to the process group, SIGKILL if it is still there after ``delai`` s."""
        processus, _journal = self.lances[nom]
        if processus.poll() is None:
            try:
                os.killpg(processus.pid, signal.SIGTERM)
                processus.wait(timeout=delai)
            except subprocess.TimeoutExpired:
                os.killpg(processus.pid, signal.SIGKILL)
                processus.wait()
            except ProcessLookupError:
                pass
        self._fermer(nom)

    def arreter_tout(self):
        for nom in list(self.lances):
            self.arreter(nom)


def port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreer_base(url):
    import psycopg2

    nom = urlsplit(url).path.lstrip("/")
    connexion = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connexion.autocommit = True
    with connexion.cursor() as curseur:
        curseur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        curseur.execute(f'CREATE DATABASE "{nom}"')
    connexion.close()


def environnement(repertoire, url, *, production, port=None, smtp=None):
    """Environment of the commands: development settings to load data, production to serve."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "VAR_DIR": str(repertoire),
        "MEDIA_ROOT": str(repertoire / "documents"),
        "STATIC_ROOT": str(repertoire / "static"),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if not production:
        env["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings.dev"
        env.pop("EMAIL_HOST", None)
        return env
    env.update({
        "DJANGO_SETTINGS_MODULE": "contrat_ville.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAIL_URL": f"https://127.0.0.1:{port}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp or 25),
        # The simulated staff accounts have no second-factor device: where the portal asks
        # staff for one (double authentication), the load test runs it in its optional mode.
        "PORTAIL_DOUBLE_AUTHENTIFICATION": "facultative",
    })
    return env


def attendre_serveur(base, processus, delai=60):
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if processus.poll() is not None:
            raise RuntimeError("gunicorn s'est arrêté au démarrage.")
        try:
            if httpx.get(base + "/", headers={"X-Forwarded-Proto": "https"}).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn ne répond pas après {delai} s.")


ERREURS_JOURNAL = ("Traceback", "Internal Server Error", "[CRITICAL]", "WORKER TIMEOUT")


def erreurs_des_journaux(repertoire, noms=("gunicorn", "worker")):
    """Lines of the server and worker logs that report an error, with the file they are in."""
    trouvees = []
    for nom in noms:
        chemin = repertoire / f"{nom}.log"
        if chemin.exists():
            for ligne in chemin.read_text(errors="replace").splitlines():
                if any(marque in ligne for marque in ERREURS_JOURNAL):
                    trouvees.append(f"{nom} : {ligne.strip()[:300]}")
    return trouvees


# --- The run --------------------------------------------------------------------------------------


def preparer(args, repertoire, processus):
    """Fresh database with the référentiel, the demo and a past call's volume; static files."""
    recreer_base(args.base)
    env = environnement(repertoire, args.base, production=False)
    annee = date.today().year - 1
    manage = [sys.executable, "manage.py"]
    for commande in (
        ["migrate", "--noinput", "-v0"],
        ["charger_referentiel"],
        ["demo"],
        ["generer_volume", "--dossiers", str(args.volume), "--annee", str(annee)],
    ):
        processus.executer("preparation", manage + commande, env)
    env_production = environnement(repertoire, args.base, production=True, port=0)
    processus.executer(
        "preparation", manage + ["collectstatic", "--noinput", "-v0"], env_production
    )
    # The accounts are created here, with the ORM of this very process.
    os.environ.update({k: env[k] for k in (
        "DATABASE_URL", "VAR_DIR", "MEDIA_ROOT", "STATIC_ROOT", "DEBUG", "DJANGO_SETTINGS_MODULE",
        "LOG_LEVEL",
    )})
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from charge_donnees import preparer as preparer_comptes
    from django.db import connections

    donnees = preparer_comptes(
        porteurs=args.porteurs, instructeurs=args.instructeurs, comite=args.comite,
        mot_de_passe=MOT_DE_PASSE, annee_volume=annee,
    )
    connections.close_all()
    return donnees


def demarrer_serveur(args, repertoire, processus, smtp):
    port = port_libre()
    env = environnement(repertoire, args.base, production=True, port=port, smtp=smtp)
    gunicorn = processus.lancer("gunicorn", [
        sys.executable, "-m", "gunicorn", "contrat_ville.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
        "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
    ], env)
    processus.lancer(
        "worker", [sys.executable, "manage.py", "db_worker", "--no-startup-delay"], env
    )
    base = f"http://127.0.0.1:{port}"
    attendre_serveur(base, gunicorn)
    return base


def verifier(ctx, donnees):
    from charge_donnees import conclusions_absentes, etats_dossiers

    ids = sorted({c["dossier"] for c in donnees["porteurs"]})
    verification = verifier_sauvegardes(ctx.sauvegardes, etats_dossiers(ids, CODE_BUDGET))
    return verification, conclusions_absentes(ctx.conclusions)


def executer(args, repertoire, processus):
    debut = time.monotonic()
    print("… préparation de la base (migrations, référentiel, démo, volume)", flush=True)
    donnees = preparer(args, repertoire, processus)
    with PuitsSMTP() as puits:
        base = demarrer_serveur(args, repertoire, processus, puits.port)
        preparation = time.monotonic() - debut
        print(f"… serveur prêt en {preparation:.0f} s ; connexion des {args.utilisateurs} "
              f"utilisateurs puis {args.duree} s d'activité", flush=True)
        charge_avant = os.getloadavg()[0]
        groupes = {nom: processus.lances[nom][0].pid for nom in ("gunicorn", "worker")}
        nom_base = urlsplit(args.base).path.lstrip("/")
        ctx = asyncio.run(simuler(
            base, donnees, MOT_DE_PASSE, duree=args.duree, pause=args.pause,
            attente=args.attente, sonde=lambda: instantane(groupes, nom_base),
        ))
        charge_apres = os.getloadavg()[0]
        processus.arreter("gunicorn")
        processus.arreter("worker")
        courriels = puits.courriels
    debut_verification = time.monotonic()
    verification, absentes = verifier(ctx, donnees)
    journal = erreurs_des_journaux(repertoire)
    resultat = {
        "parametres": {
            "duree": args.duree, "utilisateurs": args.utilisateurs, "porteurs": args.porteurs,
            "instructeurs": args.instructeurs, "comite": args.comite, "pause": args.pause,
            "workers": args.workers, "volume": args.volume,
        },
        "machine": {
            "coeurs": os.cpu_count(), "python": platform.python_version(),
            "systeme": platform.platform(),
            # 1-minute load average before the sign-ins, and at the end of the window.
            "charge_moyenne": [round(charge_avant, 1), round(charge_apres, 1)],
        },
        "durees": {
            "preparation": round(preparation, 1),
            "fenetre": round(ctx.duree_reelle, 1),
            "verification": round(time.monotonic() - debut_verification, 1),
            "totale": round(time.monotonic() - debut, 1),
        },
        "cpu": ecart(*ctx.sondes),
        "requetes": resume_requetes(
            ctx.requetes, connexions=ctx.connexions, duree=ctx.duree_reelle
        ),
        "sauvegardes": verification.en_dict(),
        "champs_refuses": ctx.champs_refuses,
        "instructions": {
            "conclues": len(ctx.conclusions), "absentes": absentes,
            "refusees": ctx.conclusions_refusees,
        },
        "fichiers": {"obtenus": ctx.generations, "echecs": ctx.generations_echouees},
        "serveur": {
            "erreurs_journal": len(journal), "extraits": journal[:20], "courriels": courriels,
            "utilisateurs_interrompus": ctx.interrompus,
        },
    }
    resultat["reussi"] = reussi(resultat)
    Path(args.sortie).write_text(json.dumps(resultat, indent=2, ensure_ascii=False) + "\n")
    print(rapport(resultat))
    for extrait in journal[:20]:
        print(extrait)
    return 0 if resultat["reussi"] else 1


def principal(argv=None):
    args = arguments(argv)
    repertoire = Path(tempfile.mkdtemp(prefix="charge-"))
    processus = Processus(repertoire)

    def plafond(_signum, _frame):
        raise PlafondAtteint

    def terminer(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, plafond)
    # Ctrl+C interrupts even when started from a shell that had SIGINT ignored (background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminer)
    signal.signal(signal.SIGHUP, terminer)
    signal.alarm(args.plafond)
    code = 1
    try:
        code = executer(args, repertoire, processus)
    except KeyboardInterrupt:
        print("Interrompu : arrêt du serveur et du worker.", file=sys.stderr)
        code = 130
    except PlafondAtteint:
        print(f"Plafond de {args.plafond} s atteint : arrêt.", file=sys.stderr)
        code = 124
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not skip this
        processus.arreter_tout()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if code == 0 and not args.garder:
        shutil.rmtree(repertoire, ignore_errors=True)
    else:
        print(f"Journaux (serveur, worker, préparation) : {repertoire}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(principal())
