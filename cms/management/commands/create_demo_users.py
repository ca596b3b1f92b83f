import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_USERS = [
    ("bianji", "编辑", "演示编辑"),
    ("hecha", "核查员", "演示核查员"),
    ("shenhe", "审核发布", "演示审核发布"),
    ("yunwei", "运维", "演示运维"),
]


class Command(BaseCommand):
    help = "创建每个角色一个演示账号（仅限演示模式）。Create one demo user per role, in demo mode only."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("演示账号只能在演示模式（DEMO_MODE）下创建；生产环境中不存在演示账号。")
        with transaction.atomic():
            self._create()

    def _create(self):
        User = get_user_model()
        self.stdout.write("演示账号（每次运行都会重新生成密码）：")
        for username, group_name, first_name in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
            user.first_name = first_name
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(f"  {group_name:<6} 用户名 {username:<8} 密码 {password}")
