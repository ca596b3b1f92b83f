from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cms.models import Article, DumpImport
from tests.conftest import DUMPS

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_dump", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_imports_the_sample_dumps_with_a_summary():
    out, err, error = _run(*DUMPS)

    assert error is None
    assert "共 3 个文件：导入 3 个，已导入过 0 个，失败 0 个；新建文章 63 篇" in out
    assert Article.objects.count() == 63
    assert err == ""


def test_second_run_reports_files_as_already_imported():
    _run(*DUMPS)

    out, _, error = _run(*DUMPS)

    assert error is None
    assert "已导入过 3 个" in out
    assert Article.objects.count() == 63


def test_bad_file_is_named_with_its_line_and_the_others_still_import(tmp_path):
    bad = tmp_path / "truncated.txt"
    lines = DUMPS[0].read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join(lines[: lines.index("湛江吴川医保电话") + 3]), encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")

    out, err, error = _run(DUMPS[1], bad, binary, DUMPS[2], tmp_path / "missing.txt")

    assert error is not None
    assert "3 个文件未能导入" in str(error)
    assert f"✗ {bad}：第 89 行：" in err
    assert f"✗ {binary}：第 3 行：" in err
    assert "missing.txt：无法读取文件" in err
    assert "导入 2 个" in out
    assert set(DumpImport.objects.values_list("filename", flat=True)) == {DUMPS[1].name, DUMPS[2].name}
    assert not Article.objects.filter(dump__filename="truncated.txt").exists()


def test_dry_run_writes_nothing():
    out, _, error = _run("--dry-run", *DUMPS)

    assert error is None
    assert "将新建文章 63 篇" in out
    assert "试运行" in out
    assert Article.objects.count() == 0


def test_unknown_user_is_refused():
    _, _, error = _run("--user", "nobody", DUMPS[0])

    assert "用户“nobody”不存在" in str(error)
    assert Article.objects.count() == 0


def test_importer_is_recorded_as_author(editor):
    _run("--user", "editor", DUMPS[0])

    assert set(Article.objects.values_list("author__username", flat=True)) == {"editor"}
