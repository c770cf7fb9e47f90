"""Backups of the portal: the database and the documents folder in one dated, checked archive.

``manage.py sauvegarder`` writes the archive and ``manage.py restaurer`` puts it back; the shell
scripts scripts/sauvegarder.sh and scripts/restaurer.sh call them, and docs/exploitation.md tells
how to schedule them and how to test a restore. ``bases`` holds what depends on the database
engine, ``archives`` the archive itself, its manifest and their checksums.
"""

import contextlib
import signal
import sys
import traceback


class ErreurSauvegarde(Exception):
    """A backup or a restore that cannot go on; the message, in French, says why."""

    def __init__(self, message, code=1, titre=None):
        super().__init__(message)
        self.code = code
        # Replaces the command's "Échec de …" in front of the message, e.g. "Restauration refusée".
        self.titre = titre


@contextlib.contextmanager
def echec_explique(sortie_erreurs, prefixe):
    """Turn an ErreurSauvegarde into a French message on stderr and a non-zero exit code.

    SIGTERM (a stopped service, a timeout) ends the command through the same path, so the
    ``finally`` blocks that remove temporary files run; Django's own "CommandError:" prefix is
    avoided, the operator reads French only.
    """

    def arreter(signum, frame):
        raise ErreurSauvegarde("interrompue par un signal d'arrêt.", code=128 + signum)

    precedent = signal.signal(signal.SIGTERM, arreter)
    try:
        yield
    except ErreurSauvegarde as erreur:
        sortie_erreurs.write(f"{erreur.titre or prefixe} : {erreur}")
        sys.exit(erreur.code)
    except KeyboardInterrupt:
        sortie_erreurs.write(f"{prefixe} : interrompue (Ctrl+C).")
        sys.exit(130)
    except Exception as erreur:
        # Unforeseen: the operator still reads a French first line, the traceback follows.
        sortie_erreurs.write(
            f"{prefixe} : erreur inattendue ({type(erreur).__name__} : {erreur}). Détail :\n"
            + traceback.format_exc()
        )
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, precedent)
