"""Constraints and row checks of the content model."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cms.models import Article, HospitalPhone, Hotline, RegionAreaCode
from policies.models import Policy
from tests.factories import ArticleFactory, HospitalFactory, HotlineFactory, PolicyFactory, region

pytestmark = pytest.mark.django_db


def test_hotline_clean_normalises_the_number():
    hotline = Hotline(organisation="吴川市医疗保障局", number="（0759）5586822", region=region("440883"))

    hotline.full_clean()

    assert hotline.number == "+867595586822"
    assert hotline.display_number == "0759-5586822"
    assert hotline.kind == "fixed"


def test_hotline_local_number_is_completed_from_its_county():
    hotline = Hotline(organisation="吴川市医疗保障局", number="5586822", region=region("440883"))

    hotline.full_clean()

    assert hotline.display_number == "0759-5586822"


def test_hotline_keeps_short_service_numbers_short():
    hotline = Hotline(organisation="12393 医保服务热线", number="12393", region=region("440000"))

    hotline.full_clean()

    assert (hotline.number, hotline.display_number, hotline.kind) == ("12393", "12393", "short")


def test_hotline_with_impossible_number_is_refused_on_the_number_field():
    hotline = Hotline(organisation="通辽市医保中心", number="0475-12333", region=region("150500"))

    with pytest.raises(ValidationError) as excinfo:
        hotline.full_clean()

    assert "短号码" in excinfo.value.message_dict["number"][0]


def test_hotline_extension_written_in_the_number_is_kept():
    hotline = Hotline(organisation="衢州市人民医院", number="0570-3023071转8001", region=region("330800"))

    hotline.full_clean()

    assert (hotline.display_number, hotline.extension) == ("0570-3023071", "8001")


def test_database_refuses_an_unnormalised_hotline_number():
    hotline = Hotline(
        organisation="x", number="0759-5586822", display_number="x", kind="fixed", region=region("440883")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        hotline.save()


def test_same_number_twice_for_one_organisation_and_purpose_is_refused():
    HotlineFactory(organisation="吴川市医疗保障局")

    with pytest.raises(ValidationError, match="已为同一用途登记了这个号码"):
        HotlineFactory(organisation="吴川市医疗保障局")


def test_hospital_phone_is_completed_from_the_hospital_region():
    hospital = HospitalFactory(name="连云港市口腔医院", region=region("320700"))
    phone = HospitalPhone(hospital=hospital, label="预约挂号", number="85767777")

    phone.full_clean()

    assert phone.display_number == "0518-85767777"


def test_hospital_name_is_unique_within_a_region():
    HospitalFactory(name="伊春市中心医院", region=region("230700"))

    with pytest.raises(IntegrityError), transaction.atomic():
        HospitalFactory(name="伊春市中心医院", region=region("230700"))
    HospitalFactory(name="伊春市中心医院", region=region("230100"))  # another city may have one


def test_article_import_key_is_unique_only_when_set():
    ArticleFactory(import_key="")
    ArticleFactory(import_key="")
    ArticleFactory(import_key="a" * 64)

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(import_key="a" * 64)


def test_article_slug_may_be_chinese():
    article = ArticleFactory(slug="湛江吴川医保电话")

    assert Article.objects.get(slug="湛江吴川医保电话") == article


def test_policy_period_cannot_end_before_it_starts():
    policy = PolicyFactory.build(
        effective_from=datetime.date(2025, 1, 1), effective_to=datetime.date(2024, 12, 31)
    )

    with pytest.raises(ValidationError, match="失效日期不能早于生效日期"):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_policy_period_may_be_a_single_day_or_open():
    PolicyFactory(effective_from=datetime.date(2025, 1, 1), effective_to=datetime.date(2025, 1, 1))
    PolicyFactory(effective_from=datetime.date(2025, 1, 1), effective_to=None)

    assert Policy.objects.count() == 2


def test_policy_document_number_is_unique_when_given():
    PolicyFactory(document_number="国办发〔2020〕53号")
    PolicyFactory(document_number="")
    PolicyFactory(document_number="")

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyFactory(document_number="国办发〔2020〕53号")


def test_policy_cannot_supersede_itself():
    policy = PolicyFactory()
    policy.superseded_by = policy

    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_region_area_code_must_be_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionAreaCode.objects.create(region=region("440800"), code="07a")
