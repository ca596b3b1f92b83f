"""The four editorial roles as groups, each with the permissions its work needs and no more.

Frozen here: a later change of what a role may do is a migration of its own."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_CONTENT = [
    ("cms", "view_article"),
    ("cms", "view_hotline"),
    ("cms", "view_hospital"),
    ("cms", "view_hospitalphone"),
    ("cms", "view_source"),
    ("cms", "view_region"),
    ("cms", "view_regionareacode"),
    ("cms", "view_dumpimport"),
    ("policies", "view_policy"),
]

ROLES = {
    # Editors write content and link it to policies and sources.
    "编辑": VIEW_CONTENT
    + [
        ("cms", "add_article"),
        ("cms", "change_article"),
        ("cms", "add_hotline"),
        ("cms", "change_hotline"),
        ("cms", "add_hospital"),
        ("cms", "change_hospital"),
        ("cms", "add_hospitalphone"),
        ("cms", "change_hospitalphone"),
        ("cms", "delete_hospitalphone"),
        ("cms", "add_source"),
        ("cms", "change_source"),
        ("policies", "add_policy"),
        ("policies", "change_policy"),
    ],
    # Fact-checkers verify numbers, addresses and sources; they correct records, not articles.
    "核查员": VIEW_CONTENT
    + [
        ("cms", "change_hotline"),
        ("cms", "change_hospital"),
        ("cms", "add_hospitalphone"),
        ("cms", "change_hospitalphone"),
        ("cms", "add_source"),
        ("cms", "change_source"),
        ("policies", "change_policy"),
    ],
    # Publishers approve, publish and withdraw; they read everything and handle flagged content.
    "审核发布": VIEW_CONTENT + [("cms", "change_article"), ("cms", "change_hotline"), ("cms", "change_hospital")],
    # Operators run the verification jobs and watch imports; they read content but do not edit it.
    "运维": VIEW_CONTENT,
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in perms]
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_load_regions"),
        ("policies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
