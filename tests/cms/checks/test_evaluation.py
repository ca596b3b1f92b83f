"""The labelled evaluation: the checks meet their targets on the sample dumps, and the evaluation can
tell when they do not."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cms.checks.evaluation import (
    HELDOUT_DIR,
    LABELS_DIR,
    SECOND_DIR,
    SYNTHETIC_DIR,
    TARGET_PER_CODE,
    TARGET_PRECISION,
    TARGET_RECALL,
    LabelError,
    default_collections,
    evaluate,
    merge,
)
from cms.checks.findings import CODES
from tests.conftest import DUMPS


@pytest.fixture(scope="module")
def report():
    (samples,) = default_collections()
    return evaluate(samples)


def test_every_sample_dump_is_labelled():
    assert sorted(p.stem for p in LABELS_DIR.glob("*.json")) == sorted(p.stem for p in DUMPS)


def test_overall_targets_are_met_on_the_labelled_samples(report):
    for overall in (report.overall(), report.overall(text_only=True)):
        assert overall.recall >= TARGET_RECALL
        assert overall.precision >= TARGET_PRECISION


def test_every_code_meets_its_target_on_the_labelled_samples(report):
    for code, score in report.per_code.items():
        for value in (score.precision, score.recall):
            assert value is None or value >= TARGET_PER_CODE, (code, score)


def test_the_synthetic_dumps_cover_every_code_and_meet_the_targets():
    report = merge([evaluate(files) for files in default_collections(synthetic=True)[1:]])

    assert {code for code, score in report.per_code.items() if score.tp} == set(CODES)
    assert report.failures() == []


def test_a_missed_finding_lowers_recall_and_fails_the_targets(tmp_path):
    labels = json.loads((LABELS_DIR / f"{DUMPS[0].stem}.json").read_text(encoding="utf-8"))
    labels["dump"] = str(DUMPS[0])
    item = next(i for i in labels["items"] if i["title"] == "湛江医保到东莞常平能报销吗")
    item["findings"] += [
        {"code": "stale-figure", "quote": "湛江医保"},
        {"code": "contradiction", "quote": "根据最新政策"},
        {"code": "duplicate-body", "quote": "湛江医保"},
    ]
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")

    report = evaluate([path])

    assert report.per_code["stale-figure"].recall == 0
    assert any(f.code == "contradiction" for f in report.false_negatives)
    assert report.failures()


def test_an_unlabelled_finding_lowers_precision(tmp_path):
    labels = json.loads((LABELS_DIR / f"{DUMPS[0].stem}.json").read_text(encoding="utf-8"))
    labels["dump"] = str(DUMPS[0])
    for item in labels["items"]:
        item["findings"] = [f for f in item["findings"] if f["code"] != "year-in-title"]
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")

    report = evaluate([path])

    assert report.per_code["year-in-title"].precision == 0
    assert "year-in-title: precision 0.0% < 80%" in report.failures()


def test_labels_that_do_not_fit_their_dump_are_refused(tmp_path):
    labels = {"dump": str(DUMPS[0]), "items": [{"title": "没有这一条", "findings": []}]}
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(LabelError, match="没有这一条"):
        evaluate([path])


def test_the_command_prints_the_table_and_strict_fails_below_target(tmp_path):
    out = StringIO()
    call_command("evaluate_checks", "--synthetic", stdout=out)
    assert "impossible-time" in out.getvalue()
    assert "overall" in out.getvalue()
    assert "全部达到目标" in out.getvalue()

    labels = {
        "dump": str(DUMPS[0]),
        "items": [
            {"title": "湛江吴川医保电话", "findings": [{"code": "impossible-date", "quote": "0759-5586822"}]}
        ],
    }
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="未达到目标"):
        call_command("evaluate_checks", "--labels", str(path), "--strict", stdout=StringIO())


def test_synthetic_dump_and_labels_ship_together():
    assert sorted(p.stem for p in SYNTHETIC_DIR.glob("*.txt")) == sorted(
        p.stem for p in SYNTHETIC_DIR.glob("*.json")
    )


def test_held_out_dumps_and_labels_ship_together():
    dumps = sorted(p.stem for p in HELDOUT_DIR.glob("*.txt"))

    assert len(dumps) >= 5
    assert dumps == sorted(p.stem for p in HELDOUT_DIR.glob("*.json"))


def test_the_held_out_dumps_meet_the_overall_targets_and_no_code_misfires():
    report = merge([evaluate(files) for files in default_collections(heldout=True)[1:]])

    for overall in (report.overall(), report.overall(text_only=True)):
        assert overall.recall >= TARGET_RECALL
        assert overall.precision >= TARGET_PRECISION
    for code, score in report.per_code.items():
        assert score.precision is None or score.precision >= TARGET_PER_CODE, (code, score)


def test_the_second_labellers_marks_are_found_too():
    assert sorted(p.stem for p in SECOND_DIR.glob("*.json")) == sorted(p.stem for p in DUMPS)
    (samples,) = default_collections(second=True)

    report = evaluate(samples)

    for overall in (report.overall(), report.overall(text_only=True)):
        assert overall.recall >= TARGET_RECALL
        assert overall.precision >= TARGET_PRECISION
