"""Joins the two migrations written side by side on 0011: the content checks' and the jobs'."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cms", "0012_findings"), ("cms", "0012_jobs")]

    operations = []
