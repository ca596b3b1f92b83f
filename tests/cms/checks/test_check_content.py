"""The check_content command: dump files checked without importing them, or the stored content."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cms.models import Article
from tests.conftest import DUMPS
from tests.factories import ArticleFactory, HospitalFactory, HotlineFactory

KEYS = {"file", "item", "code", "severity", "message", "quote", "field", "start", "end"}


def run(*args) -> str:
    out = StringIO()
    call_command("check_content", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_output_has_one_object_per_finding_with_its_keys():
    rows = json.loads(run(DUMPS[0], "--format", "json", "--as-of", "2026-11-23"))

    assert rows
    assert all(set(row) == KEYS for row in rows)
    assert all(row["file"] == str(DUMPS[0]) for row in rows)
    time_error = next(row for row in rows if row["code"] == "impossible-time")
    assert time_error == {
        "file": str(DUMPS[0]),
        "item": "2025年黑龙江伊春治疗眼睛痛的医院有哪些",
        "code": "impossible-time",
        "severity": "error",
        "message": time_error["message"],
        "quote": "9:00-18:76",
        "field": "body",
        "start": time_error["start"],
        "end": time_error["start"] + len("9:00-18:76"),
    }
    assert "18:76" in time_error["message"]


def test_several_files_are_checked_as_one_collection():
    rows = json.loads(run(*DUMPS, "--format", "json"))

    assert {row["file"] for row in rows} == {str(path) for path in DUMPS}
    conflicts = [row for row in rows if row["code"] == "phone-conflict" and "通辽" in row["item"]]
    # 通辽's 医保局 is given 0475-8910921 in one item and 0475-8242927 in another (the bureau's lines,
    # three mentions); its service centre's 0475-8910921 is another organisation's line.
    assert sorted((row["item"], row["quote"]) for row in conflicts) == [
        ("通辽医保局电话是多少", "0475-8910921"),
        ("通辽医保局电话是多少", "0475-8910921"),
        ("通辽市医保局电话号码", "0475-8242927"),
    ]


def test_text_output_names_items_and_counts_findings():
    out = run(DUMPS[0], "--as-of", "2026-11-23")

    assert f"{DUMPS[0]}: 2025年黑龙江伊春治疗眼睛痛的医院有哪些" in out
    assert "impossible-time" in out
    assert "“9:00-18:76”" in out
    assert "共检查 21 条" in out


def test_nothing_is_imported(db):
    run(DUMPS[0])

    assert Article.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        run(tmp_path / "missing.txt")


def test_a_file_that_is_not_a_dump_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("只是一些笔记\n没有日期行\n", encoding="utf-8")

    with pytest.raises(CommandError, match="不是可识别的导出文件"):
        run(bad)


def test_files_or_all_but_not_both_nor_neither():
    with pytest.raises(CommandError, match="二者选一"):
        run()
    with pytest.raises(CommandError, match="二者选一"):
        run(DUMPS[0], "--all")


def test_a_bad_day_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(DUMPS[0], "--as-of", "yesterday")


@pytest.mark.django_db
def test_all_checks_stored_articles_hotlines_and_hospitals_without_a_file_key():
    article = ArticleFactory(title="2023年湛江医保电话", body="咨询电话:0759-12333。")
    hotline = HotlineFactory(organisation="连云港市口腔医院", number="12345", purpose="appointment")
    hospital = HospitalFactory(name="嘉峪关市第一人民医院", address="林芝地区某路1号")

    rows = json.loads(run("--all", "--format", "json", "--as-of", "2026-11-23"))

    assert all("file" not in row for row in rows)
    by_item = {(row["id"], row["code"]) for row in rows}
    assert (f"article:{article.pk}", "year-in-title") in by_item
    assert (f"article:{article.pk}", "phone-invalid") in by_item
    assert (f"hotline:{hotline.pk}", "phone-short-code-misused") in by_item
    assert (f"hospital:{hospital.pk}", "obsolete-term") in by_item
    assert all(row["kind"] in ("article", "hotline", "hospital") for row in rows)
