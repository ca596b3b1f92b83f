import datetime

import pytest

from cms.ingest.dumps import DumpFormatError
from cms.models import Article, DumpImport
from cms.services.imports import dump_import
from cms.workflow import State
from tests.conftest import DUMPS

pytestmark = pytest.mark.django_db


def _import(path, **kwargs):
    return dump_import(data=path.read_bytes(), filename=path.name, **kwargs)


def test_each_item_becomes_a_draft_article(editor):
    result = _import(DUMPS[0], user=editor)

    assert (result.created, result.existing, result.already_imported) == (21, 0, False)
    dump = DumpImport.objects.get(pk=result.dump_id)
    assert (dump.filename, dump.main_title, dump.item_count, dump.imported_by) == (
        DUMPS[0].name,
        "省医保和省内异地区别",
        21,
        editor,
    )
    articles = list(Article.objects.filter(dump=dump).order_by("dump_position"))
    assert [a.dump_position for a in articles] == list(range(21))
    assert {a.state for a in articles} == {State.DRAFT}
    assert {a.author for a in articles} == {editor}
    main, *items = articles
    assert (main.title, main.is_excerpt, main.original_date) == ("省医保和省内异地区别", False, None)
    assert all(a.is_excerpt for a in items)
    assert {a.original_date for a in items} == {datetime.date(2025, 3, 21)}
    wuchuan = Article.objects.get(title="湛江吴川医保电话")
    assert "0759-5586822" in wuchuan.body
    assert wuchuan.slug.startswith("湛江吴川医保电话-")


def test_all_sample_dumps_import():
    created = [_import(path).created for path in DUMPS]

    assert created == [21, 21, 21]
    assert Article.objects.count() == 63
    assert DumpImport.objects.count() == 3


def test_importing_the_same_file_again_creates_nothing():
    first = _import(DUMPS[1])

    again = _import(DUMPS[1])

    assert again.already_imported is True
    assert again.created == 0
    assert again.dump_id == first.dump_id
    assert Article.objects.count() == 21
    assert DumpImport.objects.count() == 1


def test_same_items_in_another_file_are_not_created_twice():
    _import(DUMPS[2])
    variant = DUMPS[2].read_bytes() + "\n大家都在搜\n医保报销\n".encode()

    result = dump_import(data=variant, filename="variant.txt")

    assert (result.created, result.existing) == (0, 21)
    assert Article.objects.count() == 21
    assert DumpImport.objects.count() == 2


def test_dry_run_writes_nothing_and_reports_what_it_would_do():
    result = _import(DUMPS[0], dry_run=True)

    assert (result.created, result.existing, result.dump_id) == (21, 0, None)
    assert Article.objects.count() == 0
    assert DumpImport.objects.count() == 0


def test_broken_file_writes_nothing():
    data = DUMPS[0].read_bytes()
    cut = data[: data.index("湛江吴川医保电话".encode()) + 60]

    with pytest.raises(DumpFormatError):
        dump_import(data=cut, filename="cut.txt")

    assert Article.objects.count() == 0
    assert DumpImport.objects.count() == 0
