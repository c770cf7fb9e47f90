"""The contracts ``generer_volume`` fills: copies of a tree, and each contract's call.

``generer_volume --copies N`` fills a portal with many contracts (benchmarks, demos): each copy
gets its own territory, its own QPV (same generation, new codes), and a copy of every pilier,
orientation, objectif, action and objective row of the source, with the same codes.
"""

import datetime

from django.db import connection
from django.utils import timezone

from candidatures.models import AppelAProjets, CompteurReferences
from referentiel.models import (
    Action,
    Contrat,
    Exigence,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
    Territoire,
)

PREFIXE = "volume"
LOT = 5000
LOT_BRUT = 1000


def _copier(originaux, **cles):
    """Insert a copy of each row, its foreign keys (attnames) translated; return old → new pk.

    A value in ``cles`` is either a dict (old pk → new pk) or the one new pk for every row.
    """
    originaux = list(originaux)
    if not originaux:
        return {}
    anciens = [o.pk for o in originaux]
    for objet in originaux:
        objet.pk = None
        objet._state.adding = True
        for attname, traduction in cles.items():
            ancienne = getattr(objet, attname)
            if ancienne is None:
                continue
            setattr(objet, attname, traduction[ancienne] if isinstance(traduction, dict)
                    else traduction)
    copies = type(originaux[0]).objects.bulk_create(originaux)
    return dict(zip(anciens, (c.pk for c in copies), strict=True))


def codes_libres(nombre):
    """``nombre`` contract codes ``volume-NN`` not yet taken, in order."""
    pris = set(Contrat.objects.filter(code__startswith=f"{PREFIXE}-").values_list("code",
                                                                                 flat=True))
    codes, n = [], 0
    while len(codes) < nombre:
        n += 1
        code = f"{PREFIXE}-{n:02d}"
        if code not in pris and not Territoire.objects.filter(code=code).exists():
            codes.append(code)
    return codes


def copier_contrat(source, code):
    """A new contract ``code`` on a new territory, with a copy of ``source``'s tree and QPV."""
    numero = code.rsplit("-", 1)[-1]
    territoire = Territoire.objects.create(
        code=code, nom=f"Territoire de volume n°{numero}", type=source.territoire.type
    )
    contrat = Contrat.objects.create(
        code=code, nom=f"Contrat de ville de volume n°{numero}", territoire=territoire,
        generation_id=source.generation_id, annee_debut=source.annee_debut,
        annee_fin=source.annee_fin, source=source.source, par_defaut=False,
    )
    quartiers = QuartierPrioritaire.objects.bulk_create([
        QuartierPrioritaire(
            generation_id=q.generation_id, code=f"{q.code}-{code}"[:60], nom=q.nom,
            commune=f"{q.commune} ({numero})", code_officiel="", secteurs=q.secteurs,
            valide_du=q.valide_du, valide_au=q.valide_au,
        )
        for q in source.quartiers.order_by("pk")
    ])
    contrat.quartiers.add(*quartiers)
    piliers = _copier(Pilier.objects.filter(contrat=source), contrat_id=contrat.pk)
    orientations = _copier(Orientation.objects.filter(contrat=source),
                           contrat_id=contrat.pk, pilier_id=piliers)
    objectifs = _copier(Objectif.objects.filter(contrat=source),
                        contrat_id=contrat.pk, orientation_id=orientations)
    actions = _copier(Action.objects.filter(contrat=source),
                      contrat_id=contrat.pk, objectif_id=objectifs)
    for modele in (Exigence, NoteFinancement, Indicateur):
        _copier(modele.objects.filter(objectif__contrat=source), objectif_id=objectifs)
    _copier(
        Renvoi.objects.filter(objectif__contrat=source), objectif_id=objectifs,
        action_id=actions, cible_objectif_id=objectifs, cible_orientation_id=orientations,
    )
    return contrat


class Cible:
    """One contract's call receiving dossiers, with its own random stream.

    Each contract draws from its own stream, so a contract's dossiers are the same whether it
    is generated alone or among copies (only primary keys and SIRET differ).
    """

    def __init__(self, contrat, annee, hasard):
        self.contrat = contrat
        self.r = hasard
        fuseau = timezone.get_current_timezone()
        self.appel, _ = AppelAProjets.objects.get_or_create(
            contrat=contrat, annee=annee,
            defaults={
                "titre": f"Appel à projets {annee} du contrat de ville",
                "ouverture": datetime.datetime(annee - 1, 10, 1, tzinfo=fuseau),
                "cloture": datetime.datetime(annee - 1, 12, 15, 12, tzinfo=fuseau),
                "enveloppe_totale": 400000,
            },
        )
        # References are unique on the whole portal: the default contract keeps « AAP-… ».
        self.prefixe = "AAP" if contrat.par_defaut else f"AAP{contrat.pk}"
        self.actions = list(
            Action.objects.filter(
                contrat=contrat, objectif__hors_appel_a_projets=False, renvois__isnull=True,
            ).select_related("objectif")
        )
        self.quartiers = list(contrat.quartiers.order_by("pk").values_list("pk", flat=True))
        CompteurReferences.objects.get_or_create(appel=self.appel)
        self.premier = (
            CompteurReferences.objects.select_for_update().get(pk=self.appel.pk).dernier_numero
        )
        self.faits = 0
        self.structures = []


class Insertions:
    """Bulk inserts for ``generer_volume``: ``bulk_create`` where objects are needed back,
    multi-row INSERTs of values otherwise (10× faster); ``lignes`` counts the rows inserted."""

    def __init__(self):
        self.lignes = 0
        self._adaptes = {}

    def _inserer(self, modele, objets):
        cree = modele.objects.bulk_create(objets, batch_size=LOT)
        self.lignes += len(cree)
        return cree

    def _inserer_brut(self, modele, colonnes, lignes, retour=False):
        """Multi-row INSERTs of values ready for the database (dates through ``_date``/``_le``),
        10× faster than ``bulk_create``; with ``retour``, the new keys in the rows' order."""
        table = connection.ops.quote_name(modele._meta.db_table)
        noms = ", ".join(
            connection.ops.quote_name(modele._meta.get_field(c).column) for c in colonnes
        )
        ligne = "(" + ", ".join(["%s"] * len(colonnes)) + ")"
        suite = f" RETURNING {connection.ops.quote_name(modele._meta.pk.column)}" if retour else ""
        cles = []
        with connection.cursor() as curseur:
            # The backend's own cursor: no query log, even with DEBUG (a log of huge INSERTs).
            brut = curseur.cursor
            for debut in range(0, len(lignes), LOT_BRUT):
                lot = lignes[debut:debut + LOT_BRUT]
                brut.execute(
                    f"INSERT INTO {table} ({noms}) VALUES {', '.join([ligne] * len(lot))}{suite}",
                    [v for valeurs in lot for v in valeurs],
                )
                if retour:
                    cles += [r[0] for r in brut.fetchall()]
        self.lignes += len(lignes)
        return cles

    def _inserer_objets(self, modele, lignes, retour=False):
        """Insert rows given as ``{attname: value}``: every other column gets its default."""
        if not lignes:
            return []
        champs = [f for f in modele._meta.concrete_fields if not f.primary_key]
        prototype = modele()
        defauts = {
            f.attname: f.get_db_prep_save(f.pre_save(prototype, add=True), connection)
            for f in champs
        }
        colonnes = [f.attname for f in champs]
        valeurs = [[ligne.get(c, defauts[c]) for c in colonnes] for ligne in lignes]
        return self._inserer_brut(
            modele, [f.name for f in champs], valeurs, retour=retour
        )

    def _le(self, moment):
        """A date and time as the database takes it (SQLite: naive UTC text)."""
        if moment is None:
            return None
        cle = ("le", moment)
        if cle not in self._adaptes:
            self._adaptes[cle] = connection.ops.adapt_datetimefield_value(moment)
        return self._adaptes[cle]

    def _date(self, jour):
        if jour is None:
            return None
        cle = ("date", jour)
        if cle not in self._adaptes:
            self._adaptes[cle] = connection.ops.adapt_datefield_value(jour)
        return self._adaptes[cle]
