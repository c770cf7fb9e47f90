"""Services of structures: creation, members, join requests, invitations, documents."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.models import DemandeAdhesion, DocumentStructure, Membre, Structure
from candidatures.structures import services
from candidatures.structures.selectors import documents_actuels

from .factories import PDF_MINIMAL, MembreFactory, StructureFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

PDF = PDF_MINIMAL


def _donnees_structure(**surcharges):
    return {
        "raison_sociale": "Association Cévennes Partage",
        "type": Structure.Type.ASSOCIATION,
        "siret": "73282932000074",
        "rna": "W301000001",
        "adresse": "3 place de l'Hôtel de Ville",
        "code_postal": "30100",
        "commune": "Alès",
        "representant_nom": "Durand",
        "representant_prenom": "Paul",
        "representant_fonction": "président",
        **surcharges,
    }


def _jeton_invitation(message):
    return re.search(r"/structures/invitation/([^/\s]+)/", message.body).group(1)


def test_creer_une_structure_en_fait_le_createur_responsable():
    """The creator of a structure becomes its first responsable."""
    utilisateur = UtilisateurFactory(porteur=True)

    structure = services.creer_structure(par=utilisateur, donnees=_donnees_structure())

    membre = Membre.objects.get(structure=structure)
    assert membre.utilisateur == utilisateur
    assert membre.role == Membre.Role.RESPONSABLE


def test_deux_structures_ne_partagent_pas_un_siret():
    """A second structure with the same SIRET is refused with a French message."""
    StructureFactory(siret="73282932000074")

    with pytest.raises(SaisieInvalide) as erreur:
        services.creer_structure(par=UtilisateurFactory(), donnees=_donnees_structure())

    assert "déjà inscrite" in erreur.value.erreurs["siret"]
    assert Structure.objects.filter(siret="73282932000074").count() == 1


def test_modifier_vers_le_siret_d_une_autre_structure_refuse():
    """Changing a SIRET to one already used is refused too."""
    StructureFactory(siret="73282932000074")
    membre = MembreFactory()

    with pytest.raises(SaisieInvalide, match="déjà inscrite"):
        services.modifier_structure(
            structure=membre.structure, donnees={"siret": "73282932000074"}, par=membre.utilisateur
        )


def test_le_dernier_responsable_ne_peut_pas_devenir_contributeur():
    """A structure always keeps a responsable: the last one cannot be downgraded."""
    responsable = MembreFactory()

    with pytest.raises(ErreurMetier, match="au moins un responsable"):
        services.changer_role_membre(
            membre=responsable, role=Membre.Role.CONTRIBUTEUR, par=responsable.utilisateur
        )

    responsable.refresh_from_db()
    assert responsable.role == Membre.Role.RESPONSABLE


def test_changer_de_role_quand_un_autre_responsable_existe():
    """With a second responsable, the first one may become contributeur."""
    premier = MembreFactory()
    second = MembreFactory(structure=premier.structure)

    services.changer_role_membre(
        membre=premier, role=Membre.Role.CONTRIBUTEUR, par=second.utilisateur
    )

    premier.refresh_from_db()
    assert premier.role == Membre.Role.CONTRIBUTEUR


def test_promouvoir_un_contributeur():
    """A contributeur can be made responsable."""
    responsable = MembreFactory()
    contributeur = MembreFactory(structure=responsable.structure, contributeur=True)

    services.changer_role_membre(
        membre=contributeur, role=Membre.Role.RESPONSABLE, par=responsable.utilisateur
    )

    contributeur.refresh_from_db()
    assert contributeur.role == Membre.Role.RESPONSABLE


def test_le_dernier_responsable_ne_peut_pas_etre_retire_ni_partir():
    """Neither removing nor leaving may leave the structure without a responsable."""
    responsable = MembreFactory()
    MembreFactory(structure=responsable.structure, contributeur=True)

    with pytest.raises(ErreurMetier, match="au moins un responsable"):
        services.retirer_membre(membre=responsable, par=responsable.utilisateur)
    with pytest.raises(ErreurMetier, match="dernier responsable"):
        services.quitter_structure(
            structure=responsable.structure, utilisateur=responsable.utilisateur
        )

    assert Membre.objects.filter(pk=responsable.pk).exists()


def test_un_membre_quitte_la_structure():
    """A contributeur leaves; the structure and its responsable stay."""
    responsable = MembreFactory()
    contributeur = MembreFactory(structure=responsable.structure, contributeur=True)

    services.quitter_structure(
        structure=contributeur.structure, utilisateur=contributeur.utilisateur
    )

    assert list(Membre.objects.filter(structure=responsable.structure)) == [responsable]


def test_un_responsable_part_quand_un_autre_reste():
    """A responsable may leave once another responsable exists."""
    premier = MembreFactory()
    second = MembreFactory(structure=premier.structure)

    services.quitter_structure(structure=premier.structure, utilisateur=premier.utilisateur)

    assert list(Membre.objects.filter(structure=premier.structure)) == [second]


def test_demande_d_adhesion_acceptee(django_capture_on_commit_callbacks, executer_taches):
    """Joining by SIRET: the responsables are told, accept, and the requester is told."""
    responsable = MembreFactory(utilisateur__email="resp@exemple.test")
    demandeur = UtilisateurFactory(email="nouveau@exemple.test")

    with django_capture_on_commit_callbacks(execute=True):
        demande = services.demander_adhesion(
            utilisateur=demandeur,
            siret=responsable.structure.siret[:3] + " " + responsable.structure.siret[3:],
            message="Je suis la trésorière.",
        )
    executer_taches()
    assert mail.outbox[-1].to == ["resp@exemple.test"]
    assert "Je suis la trésorière." in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        membre = services.accepter_demande(demande=demande, par=responsable.utilisateur)

    demande.refresh_from_db()
    assert demande.statut == DemandeAdhesion.Statut.ACCEPTEE
    assert membre.role == Membre.Role.CONTRIBUTEUR
    executer_taches()
    assert mail.outbox[-1].to == ["nouveau@exemple.test"]
    with pytest.raises(ErreurMetier, match="déjà reçu une réponse"):
        services.refuser_demande(demande=demande, par=responsable.utilisateur)


def test_demande_d_adhesion_refusee(django_capture_on_commit_callbacks, executer_taches):
    """A refused request adds no member and tells the requester."""
    responsable = MembreFactory()
    demandeur = UtilisateurFactory()
    demande = services.demander_adhesion(
        utilisateur=demandeur, siret=responsable.structure.siret
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.refuser_demande(demande=demande, par=responsable.utilisateur)

    assert not Membre.objects.filter(utilisateur=demandeur).exists()
    executer_taches()
    assert "n'ont pas accepté" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("cas", "message"),
    [
        ("inconnu", "Aucune structure"),
        ("membre", "déjà membre"),
        ("en_attente", "attend déjà"),
    ],
)
def test_demande_d_adhesion_refusee_d_emblee(cas, message):
    """Unknown SIRET, existing member, or a request already pending: French error."""
    responsable = MembreFactory()
    demandeur = responsable.utilisateur if cas == "membre" else UtilisateurFactory()
    siret = "73282932000074" if cas == "inconnu" else responsable.structure.siret
    if cas == "en_attente":
        services.demander_adhesion(utilisateur=demandeur, siret=siret)

    with pytest.raises(SaisieInvalide, match=message):
        services.demander_adhesion(utilisateur=demandeur, siret=siret)


def test_invitation_envoyee_puis_acceptee(django_capture_on_commit_callbacks, executer_taches):
    """The invitee receives a signed link and joins with the role offered."""
    responsable = MembreFactory()
    invite = UtilisateurFactory(email="invitee@exemple.test")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.inviter_membre(
            structure=responsable.structure,
            email="Invitee@Exemple.test",
            role=Membre.Role.RESPONSABLE,
            par=responsable.utilisateur,
        )
    executer_taches()
    assert mail.outbox[-1].to == ["invitee@exemple.test"]
    jeton = _jeton_invitation(mail.outbox[-1])

    membre = services.accepter_invitation(jeton=jeton, utilisateur=invite)

    assert membre.structure == responsable.structure
    assert membre.role == Membre.Role.RESPONSABLE
    invitation.refresh_from_db()
    assert invitation.acceptee_par == invite
    with pytest.raises(ErreurMetier, match="déjà été utilisée"):
        services.accepter_invitation(jeton=jeton, utilisateur=UtilisateurFactory())


def test_inviter_deux_fois_renvoie_la_meme_invitation(
    django_capture_on_commit_callbacks, executer_taches
):
    """Inviting the same address again sends a new link, not a second invitation."""
    responsable = MembreFactory()

    with django_capture_on_commit_callbacks(execute=True):
        premiere = services.inviter_membre(
            structure=responsable.structure, email="x@exemple.test",
            role=Membre.Role.CONTRIBUTEUR, par=responsable.utilisateur,
        )
        seconde = services.inviter_membre(
            structure=responsable.structure, email="x@exemple.test",
            role=Membre.Role.RESPONSABLE, par=responsable.utilisateur,
        )

    assert premiere.pk == seconde.pk
    executer_taches()
    assert len(mail.outbox) == 2


def test_inviter_un_membre_existant_refuse():
    """Someone who is already a member cannot be invited."""
    responsable = MembreFactory(utilisateur__email="deja@exemple.test")

    with pytest.raises(SaisieInvalide, match="déjà membre"):
        services.inviter_membre(
            structure=responsable.structure, email="DEJA@exemple.test",
            role=Membre.Role.CONTRIBUTEUR, par=responsable.utilisateur,
        )


def test_invitation_annulee_ou_expiree_ou_falsifiee(monkeypatch):
    """A cancelled, expired or tampered invitation link does not let anyone in."""
    responsable = MembreFactory()
    invitation = services.inviter_membre(
        structure=responsable.structure, email="x@exemple.test",
        role=Membre.Role.CONTRIBUTEUR, par=responsable.utilisateur,
    )
    jeton = services.jeton_invitation(invitation)
    intrus = UtilisateurFactory()

    with pytest.raises(ErreurMetier, match="n'est pas valide"):
        services.accepter_invitation(jeton=jeton[:-2] + "xx", utilisateur=intrus)

    ancien = signing.TimestampSigner(salt=services.SEL_INVITATION)
    monkeypatch.setattr(ancien, "timestamp", lambda: signing.b62_encode(0))
    jeton_ancien = ancien.sign_object(invitation.pk)
    with pytest.raises(ErreurMetier, match="expiré"):
        services.accepter_invitation(jeton=jeton_ancien, utilisateur=intrus)

    services.annuler_invitation(invitation=invitation, par=responsable.utilisateur)
    with pytest.raises(ErreurMetier, match="annulée"):
        services.accepter_invitation(jeton=jeton, utilisateur=intrus)

    assert not Membre.objects.filter(utilisateur=intrus).exists()


def _pdf(nom="statuts.pdf", contenu=PDF):
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


def test_deposer_un_pdf():
    """A real PDF is stored under a random name; its original name is kept."""
    membre = MembreFactory()

    document = services.deposer_document(
        structure=membre.structure,
        type=DocumentStructure.Type.STATUTS,
        fichier=_pdf("Statuts 2023.pdf"),
        date_document=datetime.date(2023, 5, 12),
        par=membre.utilisateur,
    )

    assert document.nom_original == "Statuts 2023.pdf"
    assert document.type_mime == "application/pdf"
    assert document.taille == len(PDF)
    assert document.est_actuel
    assert "Statuts" not in document.fichier.name
    with document.fichier.open("rb") as f:
        assert f.read() == PDF


def test_un_faux_pdf_est_refuse():
    """A .pdf file that is really text is refused, nothing stored."""
    membre = MembreFactory()

    with pytest.raises(ErreurMetier, match="ne correspond pas"):
        services.deposer_document(
            structure=membre.structure,
            type=DocumentStructure.Type.STATUTS,
            fichier=_pdf(contenu=b"Bonjour, je suis du texte."),
            date_document=datetime.date(2023, 5, 12),
            par=membre.utilisateur,
        )

    assert not DocumentStructure.objects.exists()


def test_un_fichier_trop_gros_est_refuse(settings):
    """A file above the limit is refused."""
    settings.PORTAIL_DOCUMENT_TAILLE_MAX = 100
    membre = MembreFactory()

    with pytest.raises(ErreurMetier, match="la limite est de"):
        services.deposer_document(
            structure=membre.structure,
            type=DocumentStructure.Type.RIB,
            fichier=_pdf(contenu=PDF + b" " * 200),
            date_document=datetime.date(2024, 1, 1),
            par=membre.utilisateur,
        )


def test_une_nouvelle_version_garde_l_ancienne_dans_l_historique():
    """Replacing a document keeps the previous version, no longer in force."""
    membre = MembreFactory()
    kwargs = {"structure": membre.structure, "type": DocumentStructure.Type.STATUTS,
              "par": membre.utilisateur}
    ancienne = services.deposer_document(
        fichier=_pdf("statuts-2015.pdf"), date_document=datetime.date(2015, 3, 1), **kwargs
    )

    nouvelle = services.deposer_document(
        fichier=_pdf("statuts-2023.pdf"), date_document=datetime.date(2023, 3, 1), **kwargs
    )

    ancienne.refresh_from_db()
    assert not ancienne.est_actuel
    assert nouvelle.est_actuel
    assert documents_actuels(membre.structure) == {"statuts": nouvelle}
    assert DocumentStructure.objects.filter(structure=membre.structure).count() == 2
    assert ancienne.fichier.storage.exists(ancienne.fichier.name)


def test_documents_actuels_par_structure():
    """The public helper returns only the structure's documents in force."""
    membre = MembreFactory()
    autre = MembreFactory()
    for m in (membre, autre):
        services.deposer_document(
            structure=m.structure, type=DocumentStructure.Type.RIB, fichier=_pdf("rib.pdf"),
            date_document=datetime.date(2024, 1, 1), par=m.utilisateur,
        )

    actuels = documents_actuels(membre.structure)

    assert list(actuels) == ["rib"]
    assert actuels["rib"].structure == membre.structure
