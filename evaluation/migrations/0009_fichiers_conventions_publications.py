
import django.db.models.deletion
import django.utils.timezone
import evaluation.models.conventions
import uuid
from django.conf import settings
from django.db import migrations, models


def reprendre_les_fichiers(apps, schema_editor):
    """The PDFs of conventions and the published files already generated become the first
    builds of the shared mechanism (their fingerprint is unknown: the next visit rebuilds a
    publication's file, and serves this one meanwhile)."""
    Convention = apps.get_model("evaluation", "Convention")
    GenerationConvention = apps.get_model("evaluation", "GenerationConvention")
    PublicationDonnees = apps.get_model("evaluation", "PublicationDonnees")
    GenerationPublication = apps.get_model("evaluation", "GenerationPublication")
    maintenant = django.utils.timezone.now()
    for convention in Convention.objects.exclude(fichier="").filter(etat_fichier="termine"):
        le = convention.fichier_genere_le or maintenant
        GenerationConvention.objects.create(
            convention=convention, fichier=convention.fichier.name, empreinte="reprise",
            etat="terminee", progression=100, demandee_le=le, terminee_le=le,
            demandee_par_id=convention.enregistree_par_id,
        )
    for publication in PublicationDonnees.objects.exclude(fichier=""):
        le = publication.generee_le or publication.publiee_le
        GenerationPublication.objects.create(
            publication=publication, fichier=publication.fichier.name,
            empreinte=publication.empreinte or "reprise", lignes=publication.lignes,
            etat="terminee", progression=100, demandee_le=le, terminee_le=le,
            demandee_par_id=publication.publiee_par_id,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0008_lignes_appel_du_dossier'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='GenerationConvention',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('empreinte', models.CharField(max_length=64, verbose_name='empreinte des données')),
                ('etat', models.CharField(choices=[('en_attente', 'en attente'), ('en_cours', 'en cours'), ('terminee', 'terminée'), ('echec', 'échec')], default='en_attente', max_length=10, verbose_name='état')),
                ('progression', models.PositiveSmallIntegerField(default=0, verbose_name='progression (%)')),
                ('message', models.TextField(blank=True, verbose_name='message')),
                ('taille', models.PositiveBigIntegerField(default=0, verbose_name='taille (octets)')),
                ('demandee_le', models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandée le')),
                ('terminee_le', models.DateTimeField(blank=True, null=True, verbose_name='terminée le')),
                ('fichier', models.FileField(blank=True, max_length=255, upload_to=evaluation.models.conventions.chemin_convention, verbose_name='convention (PDF)')),
            ],
            options={
                'verbose_name': 'PDF de convention',
                'verbose_name_plural': 'PDF des conventions',
                'ordering': ['-demandee_le'],
            },
        ),
        migrations.CreateModel(
            name='GenerationPublication',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('empreinte', models.CharField(max_length=64, verbose_name='empreinte des données')),
                ('etat', models.CharField(choices=[('en_attente', 'en attente'), ('en_cours', 'en cours'), ('terminee', 'terminée'), ('echec', 'échec')], default='en_attente', max_length=10, verbose_name='état')),
                ('progression', models.PositiveSmallIntegerField(default=0, verbose_name='progression (%)')),
                ('message', models.TextField(blank=True, verbose_name='message')),
                ('taille', models.PositiveBigIntegerField(default=0, verbose_name='taille (octets)')),
                ('demandee_le', models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandée le')),
                ('terminee_le', models.DateTimeField(blank=True, null=True, verbose_name='terminée le')),
                ('fichier', models.FileField(blank=True, max_length=255, upload_to=evaluation.models.conventions.chemin_publication, verbose_name='fichier publié')),
                ('lignes', models.PositiveIntegerField(default=0, verbose_name='subventions publiées')),
            ],
            options={
                'verbose_name': 'fichier de données ouvertes',
                'verbose_name_plural': 'fichiers de données ouvertes',
                'ordering': ['-demandee_le'],
            },
        ),
        migrations.AddField(
            model_name='generationconvention',
            name='convention',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='generations', to='evaluation.convention'),
        ),
        migrations.AddField(
            model_name='generationconvention',
            name='demandee_par',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='generationpublication',
            name='demandee_par',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='generationpublication',
            name='publication',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='generations', to='evaluation.publicationdonnees'),
        ),
        migrations.AddConstraint(
            model_name='generationconvention',
            constraint=models.CheckConstraint(condition=models.Q(('progression__lte', 100)), name='generation_convention_progression_pourcentage'),
        ),
        migrations.AddConstraint(
            model_name='generationconvention',
            constraint=models.CheckConstraint(condition=models.Q(('etat__in', ['en_attente', 'en_cours', 'terminee', 'echec'])), name='generation_convention_etat_valide'),
        ),
        migrations.AddConstraint(
            model_name='generationpublication',
            constraint=models.CheckConstraint(condition=models.Q(('progression__lte', 100)), name='generation_publication_progression_pourcentage'),
        ),
        migrations.AddConstraint(
            model_name='generationpublication',
            constraint=models.CheckConstraint(condition=models.Q(('etat__in', ['en_attente', 'en_cours', 'terminee', 'echec'])), name='generation_publication_etat_valide'),
        ),
        migrations.RunPython(reprendre_les_fichiers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='convention',
            name='convention_etat_fichier_valide',
        ),
        migrations.RemoveField(
            model_name='publicationdonnees',
            name='empreinte',
        ),
        migrations.RemoveField(
            model_name='publicationdonnees',
            name='fichier',
        ),
        migrations.RemoveField(
            model_name='publicationdonnees',
            name='generee_le',
        ),
        migrations.RemoveField(
            model_name='publicationdonnees',
            name='lignes',
        ),
        migrations.RemoveField(
            model_name='convention',
            name='etat_fichier',
        ),
        migrations.RemoveField(
            model_name='convention',
            name='fichier',
        ),
        migrations.RemoveField(
            model_name='convention',
            name='fichier_genere_le',
        ),
    ]
