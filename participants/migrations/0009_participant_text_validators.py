# Names are names, e-mail domains in one script: the validators of participants/validators.py.

import django.core.validators
from django.db import migrations, models

import participants.validators


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_certificates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="email",
            field=models.EmailField(
                max_length=254,
                validators=[participants.validators.validate_email_domain],
                verbose_name="e-mail",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="first_name",
            field=models.CharField(
                max_length=100,
                validators=[participants.validators.validate_person_name],
                verbose_name="first name",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="institution",
            field=models.CharField(
                max_length=255,
                validators=[participants.validators.validate_institution_name],
                verbose_name="institution",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="last_name",
            field=models.CharField(
                max_length=100,
                validators=[participants.validators.validate_person_name],
                verbose_name="last name",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=32,
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9][0-9 ()-]{5,30}\\Z",
                        "Enter a phone number of digits, e.g. +371 20000000.",
                        code="invalid_phone",
                    )
                ],
                verbose_name="phone",
            ),
        ),
    ]
