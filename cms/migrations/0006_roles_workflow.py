"""Permissions for the review workflow: everyone reads histories, fact-checks and flags; fact-checkers
record fact-checks. Workflow actions themselves are granted by role in cms/workflow.py."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [("cms", "view_factcheck"), ("cms", "view_flag"), ("cms", "view_revision"), ("cms", "view_transitionlog")]
ADDED = {
    "编辑": READ,
    "核查员": [*READ, ("cms", "add_factcheck")],
    "审核发布": READ,
    "运维": READ,
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group = Group.objects.get(name=name)
        group.permissions.add(
            *[Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in perms]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group = Group.objects.get(name=name)
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cms", codename__in=[c for _, c in perms])
        )


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_workflow")]

    operations = [migrations.RunPython(grant, revoke)]
