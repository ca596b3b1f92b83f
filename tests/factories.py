import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.models import Article, Hospital, Hotline, Region, Source
from policies.models import Policy


def region(code: str) -> Region:
    """Regions are real data loaded by the migration: look them up, never fabricate them."""
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://ybj.example.gov.cn/page/{n}.html")
    title = factory.Sequence(lambda n: f"医保局通知 {n}")
    publisher = "湛江市医疗保障局"
    is_official = True


class HotlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotline

    organisation = factory.Sequence(lambda n: f"湛江市医疗保障局 {n}")
    number = "0759-5586822"
    region = factory.LazyFunction(lambda: region("440883"))  # 吴川市

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.full_clean()
        obj.save()
        return obj


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    name = factory.Sequence(lambda n: f"连云港市口腔医院 {n}")
    region = factory.LazyFunction(lambda: region("320700"))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"湛江吴川医保电话 {n}")
    slug = factory.Sequence(lambda n: f"zhanjiang-wuchuan-{n}")
    body = "湛江市吴川市医疗保障局联系电话为 0759-5586822。"


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知 {n}")
    document_number = factory.Sequence(lambda n: f"医保发〔2022〕{n}号")
    issuing_authority = "国家医疗保障局"
