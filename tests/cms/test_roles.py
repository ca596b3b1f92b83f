"""The four editorial roles: each group holds exactly the permissions its migration declares, each role
can do its work in the admin, and is refused the rest (adding what it may only correct, changing what it
may only read, deleting anything, the user admin)."""

import importlib
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from cms.models import Article, Hotline
from tests.factories import ArticleFactory, HotlineFactory

# What each role may do: the roles migration, then what the workflow, findings and jobs migrations added.
_ADDED = importlib.import_module("cms.migrations.0006_roles_workflow").ADDED
_FINDINGS = importlib.import_module("cms.migrations.0012_findings").ADDED
_JOBS = importlib.import_module("cms.migrations.0012_jobs")
ROLES = {
    name: [
        *perms,
        *_ADDED[name],
        *_FINDINGS[name],
        *(_JOBS.OPERATOR_PERMISSIONS if name == _JOBS.OPERATOR else []),
    ]
    for name, perms in importlib.import_module("cms.migrations.0004_roles").ROLES.items()
}

ROLE_FIXTURES = {"编辑": "editor", "核查员": "fact_checker", "审核发布": "publisher", "运维": "operator"}
EVERY_ROLE = pytest.mark.parametrize("role", ["editor", "fact_checker", "publisher", "operator"])


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def role_client(db, client, request):
    def login_as(fixture_name):
        return logged_in(client, request.getfixturevalue(fixture_name))

    return login_as


def article_form(**overrides) -> dict[str, str]:
    data = {
        "title": "吴川市医保咨询电话汇总",
        "slug": "wuchuan-yibao-dianhua",
        "category": "hotlines",
        "summary": "",
        "body": "吴川市医疗保障局：0759-5586822。",
        "review_by": "",
    }
    data.update(overrides)
    return data


def hotline_form(hotline: Hotline, **overrides) -> dict[str, str]:
    data = {
        "organisation": hotline.organisation,
        "purpose": hotline.purpose,
        "number": hotline.display_number,
        "extension": hotline.extension,
        "region": hotline.region_id,
        "service_hours": hotline.service_hours,
        "verification_status": hotline.verification_status,
        "last_verified_at_0": "",
        "last_verified_at_1": "",
        "next_check_at_0": "",
        "next_check_at_1": "",
        "expected_version": hotline.lock_version,
    }
    data.update(overrides)
    return data


# --- the groups as the migration declares them -----------------------------------------------------


def test_the_four_role_groups_exist(db):
    names = set(Group.objects.values_list("name", flat=True))

    assert set(ROLES) == {"编辑", "核查员", "审核发布", "运维"}
    assert set(ROLES) <= names


@pytest.mark.parametrize("name", list(ROLES))
def test_group_has_exactly_the_permissions_the_migration_declares(db, name):
    group = Group.objects.get(name=name)

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert granted == set(ROLES[name])
    assert len(ROLES[name]) == len(set(ROLES[name]))  # no permission listed twice


@pytest.mark.parametrize("name", list(ROLES))
def test_no_group_may_delete_content_or_manage_users(db, name):
    group = Group.objects.get(name=name)

    codenames = set(group.permissions.values_list("codename", flat=True))

    assert not codenames & {"delete_article", "delete_hotline", "delete_hospital"}
    assert not group.permissions.filter(content_type__app_label="auth").exists()


@pytest.mark.parametrize(("name", "fixture"), ROLE_FIXTURES.items())
def test_role_users_hold_their_group_permissions_and_no_more(db, request, name, fixture):
    user = request.getfixturevalue(fixture)

    perms = user.get_all_permissions()

    assert perms == {f"{app}.{codename}" for app, codename in ROLES[name]}
    assert not user.has_perm("cms.delete_article")
    assert not user.has_perm("auth.view_user")


def test_only_editors_may_add_articles_and_only_editors_and_publishers_change_them(db):
    adders = {name for name, perms in ROLES.items() if ("cms", "add_article") in perms}
    changers = {name for name, perms in ROLES.items() if ("cms", "change_article") in perms}

    assert adders == {"编辑"}
    assert changers == {"编辑", "审核发布"}
    # 运维 reads content; the only things it changes are the jobs' schedules.
    writes = {p for p in ROLES["运维"] if not p[1].startswith("view_")}
    assert {app for app, _ in writes} == {"django_celery_beat"}


def test_every_declared_permission_exists(db):
    declared = {p for perms in ROLES.values() for p in perms}

    existing = set(Permission.objects.values_list("content_type__app_label", "codename"))

    assert declared <= existing


# --- editor -----------------------------------------------------------------------------------------


def test_editor_can_open_article_add_page(role_client):
    response = role_client("editor").get("/admin/cms/article/add/")

    assert response.status_code == 200
    assert "增加 文章" in response.content.decode()


def test_editor_can_save_new_article(role_client):
    response = role_client("editor").post("/admin/cms/article/add/", article_form())

    assert response.status_code == 302
    article = Article.objects.get(slug="wuchuan-yibao-dianhua")
    assert article.title == "吴川市医保咨询电话汇总"
    assert article.category == "hotlines"
    assert article.state == "draft"  # read-only in the admin: a new article always starts as a draft
    assert article.author.username == "editor"


def test_editor_can_edit_an_imported_article(role_client, dumps):
    call_command("import_dump", str(dumps[0]), stdout=StringIO())
    article = Article.objects.get(title="湛江吴川医保电话")
    body = article.body + "\n已核实：0759-5586822。"
    form = article_form(
        title=article.title, slug=article.slug, body=body, expected_version=article.lock_version
    )

    response = role_client("editor").post(f"/admin/cms/article/{article.pk}/change/", form)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body.endswith("已核实：0759-5586822。")
    assert article.dump is not None  # the link to its dump survives the edit


def test_editor_cannot_set_state_through_the_add_form(role_client):
    role_client("editor").post("/admin/cms/article/add/", article_form(state="published"))

    assert Article.objects.get(slug="wuchuan-yibao-dianhua").state == "draft"


def test_editor_can_open_hotline_add_page(role_client):
    response = role_client("editor").get("/admin/cms/hotline/add/")

    assert response.status_code == 200


# --- fact-checker -----------------------------------------------------------------------------------


def test_fact_checker_cannot_add_article(role_client):
    client = role_client("fact_checker")

    page = client.get("/admin/cms/article/add/")
    post = client.post("/admin/cms/article/add/", article_form())

    assert page.status_code == 403
    assert post.status_code == 403
    assert not Article.objects.exists()


def test_fact_checker_can_open_hotline_change_page(role_client):
    hotline = HotlineFactory(organisation="吴川市医疗保障局")

    response = role_client("fact_checker").get(f"/admin/cms/hotline/{hotline.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "修改 咨询电话" in html
    assert 'name="number"' in html  # an editable form, not a read-only view


def test_fact_checker_verifies_a_hotline_by_recording_a_phone_call(role_client):
    hotline = HotlineFactory(organisation="吴川市医疗保障局")
    client = role_client("fact_checker")

    response = client.post(
        f"/admin/cms/factcheck/add/?hotline={hotline.pk}",
        {
            "hotline": hotline.pk,
            "subject": "phone",
            "claim": "0759-5586822",
            "verdict": "confirmed",
            "method": "phone_call",
            "called_at_0": "2026-11-20",
            "called_at_1": "10:30:00",
            "person_reached": "办公室李女士",
        },
    )

    assert response.status_code == 302
    hotline.refresh_from_db()
    assert hotline.verification_status == "verified"
    assert hotline.last_verified_at.date().isoformat() == "2026-11-20"


def test_verification_status_cannot_be_typed_into_the_hotline_form(role_client):
    hotline = HotlineFactory(organisation="吴川市医疗保障局")

    response = role_client("fact_checker").post(
        f"/admin/cms/hotline/{hotline.pk}/change/", hotline_form(hotline, verification_status="verified")
    )

    assert response.status_code == 302
    hotline.refresh_from_db()
    assert hotline.verification_status == "unverified"


def test_fact_checker_cannot_change_article(role_client):
    article = ArticleFactory(title="湛江吴川医保电话")

    response = role_client("fact_checker").post(
        f"/admin/cms/article/{article.pk}/change/",
        article_form(title="改过的标题", slug=article.slug, expected_version=article.lock_version),
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "湛江吴川医保电话"


# --- operator ---------------------------------------------------------------------------------------


def test_operator_can_view_article_changelist(role_client):
    ArticleFactory(title="湛江吴川医保电话")

    response = role_client("operator").get("/admin/cms/article/")

    assert response.status_code == 200
    assert "湛江吴川医保电话" in response.content.decode()


def test_operator_sees_article_change_page_read_only(role_client):
    article = ArticleFactory(title="湛江吴川医保电话")

    response = role_client("operator").get(f"/admin/cms/article/{article.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "查看 文章" in html
    assert 'name="title"' not in html


def test_operator_cannot_change_article(role_client):
    article = ArticleFactory(title="湛江吴川医保电话")

    response = role_client("operator").post(
        f"/admin/cms/article/{article.pk}/change/",
        article_form(title="改过的标题", slug=article.slug, expected_version=article.lock_version),
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "湛江吴川医保电话"


def test_operator_cannot_add_hotline(role_client):
    client = role_client("operator")

    page = client.get("/admin/cms/hotline/add/")
    post = client.post(
        "/admin/cms/hotline/add/",
        {
            "organisation": "吴川市医疗保障局",
            "purpose": "consultation",
            "number": "0759-5586822",
            "region": "440883",
            "verification_status": "unverified",
        },
    )

    assert page.status_code == 403
    assert post.status_code == 403
    assert not Hotline.objects.exists()


# --- publisher --------------------------------------------------------------------------------------


def test_publisher_can_change_article(role_client):
    article = ArticleFactory(title="湛江吴川医保电话")

    response = role_client("publisher").post(
        f"/admin/cms/article/{article.pk}/change/",
        article_form(
            title="湛江吴川医保电话（已复核）",
            slug=article.slug,
            category="hotlines",
            expected_version=article.lock_version,
        ),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "湛江吴川医保电话（已复核）"


def test_publisher_cannot_add_article(role_client):
    client = role_client("publisher")

    page = client.get("/admin/cms/article/add/")
    post = client.post("/admin/cms/article/add/", article_form())

    assert page.status_code == 403
    assert post.status_code == 403
    assert not Article.objects.exists()


# --- nobody -----------------------------------------------------------------------------------------


@EVERY_ROLE
def test_no_role_can_delete_article(role_client, role):
    article = ArticleFactory(title="湛江吴川医保电话")
    client = role_client(role)

    page = client.get(f"/admin/cms/article/{article.pk}/delete/")
    post = client.post(f"/admin/cms/article/{article.pk}/delete/", {"post": "yes"})

    assert page.status_code == 403
    assert post.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


@EVERY_ROLE
def test_no_role_can_delete_hotline(role_client, role):
    hotline = HotlineFactory(organisation="吴川市医疗保障局")

    response = role_client(role).post(f"/admin/cms/hotline/{hotline.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Hotline.objects.filter(pk=hotline.pk).exists()


@EVERY_ROLE
@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"])
def test_no_role_can_open_user_admin(role_client, role, url):
    response = role_client(role).get(url)

    assert response.status_code == 403


@EVERY_ROLE
def test_every_role_can_open_the_admin_index_in_chinese(role_client, role):
    response = role_client(role).get("/admin/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "医保信息核查后台" in html
    assert "文章" in html
    assert "用户" not in html  # the auth app is not listed to roles without its permissions
