"""The zh_Hans catalogue is complete and its compiled form is the one in use."""

import polib
from django.utils import translation

from tests.conftest import ROOT

CATALOGUE = ROOT / "cms" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(CATALOGUE / "django.po"))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 150


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))

    assert {(e.msgid, e.msgstr) for e in mo} == {(e.msgid, e.msgstr) for e in po.translated_entries()}


def test_labels_are_chinese_when_active():
    from cms.models import Article

    with translation.override("zh-hans"):
        assert str(Article._meta.verbose_name_plural) == "文章"
        assert str(Article._meta.get_field("is_excerpt").verbose_name) == "仅有摘要"


def test_admin_is_chinese_whatever_the_browser_prefers(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw-for-tests")
    client.force_login(user)

    response = client.get("/admin/cms/article/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert "选择 文章 来修改" in html
    assert "Select article to change" not in html
