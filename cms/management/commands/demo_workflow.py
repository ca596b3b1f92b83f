import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.models import Article, Hotline, Region, Source
from cms.services import workflow
from cms.services.factchecks import factcheck_record
from cms.services.revisions import content_save

DEMO_SOURCE = "https://www.nhsa.gov.cn/"


class Command(BaseCommand):
    help = (
        "演示：用演示账号把几条导入的内容走完真实的审核流程（仅限演示模式）。"
        " Take a handful of demo items through the real workflow, in demo mode only."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("演示流程只能在演示模式（DEMO_MODE）下运行。")
        if Source.objects.filter(url=DEMO_SOURCE).exists():
            self.stdout.write("演示流程已经运行过，跳过。")
            return
        users = get_user_model().objects.in_bulk(["bianji", "hecha", "shenhe"], field_name="username")
        if len(users) != 3:
            raise CommandError("请先运行 create_demo_users。")
        editor, checker, publisher = users["bianji"], users["hecha"], users["shenhe"]
        try:
            wuchuan_article = Article.objects.get(title="湛江吴川医保电话")
            tongliao = Article.objects.get(title="通辽医保局电话是多少")
            puer = Article.objects.get(title="普洱医保中心电话号码")
        except Article.DoesNotExist as exc:
            raise CommandError("请先导入 demo/dumps 中的演示文件。") from exc

        source = Source(url=DEMO_SOURCE, title="国家医疗保障局", publisher="国家医疗保障局", is_official=True)
        source.full_clean()
        source.save()

        # A hotline, checked by phone and published.
        hotline = Hotline(
            organisation="吴川市医疗保障局", number="0759-5586822", region=Region.objects.get(code="440883")
        )
        content_save(
            item=hotline, user=editor, expected_version=None, m2m={"sources": [source.pk]}, message="演示"
        )
        factcheck_record(
            item=hotline,
            user=checker,
            subject="phone",
            claim="0759-5586822",
            verdict="confirmed",
            method="phone_call",
            called_at=timezone.now() - datetime.timedelta(hours=2),
            person_reached="（演示）医保局办公室工作人员",
            note="演示数据：并未真的拨打。",
        )
        self._publish(hotline, editor, checker, publisher)

        # The imported article about it: linked, checked and published.
        article = Article.objects.get(pk=wuchuan_article.pk)
        article.category = "hotlines"
        article.summary = "湛江市吴川市医疗保障局的咨询电话。"
        content_save(
            item=article,
            user=editor,
            expected_version=article.lock_version,
            message="链接咨询电话和官方来源",
            m2m={"hotlines": [hotline.pk], "sources": [source.pk], "regions": ["440883"]},
        )
        factcheck_record(
            item=article,
            user=checker,
            subject="claim",
            claim="湛江市吴川市医疗保障局联系电话为 0759-5586822",
            verdict="confirmed",
            method="official_page",
            source=source,
        )
        self._publish(article, editor, checker, publisher)

        # One awaiting a fact-check, one returned to its author.
        for item in (tongliao, puer):
            item = Article.objects.get(pk=item.pk)
            content_save(
                item=item, user=editor, expected_version=item.lock_version, m2m={"sources": [source.pk]}
            )
            workflow.item_submit(item=item, user=editor)
        workflow.item_request_changes(
            item=puer,
            user=checker,
            comment="正文提到的号码 0879-2122586 需要与普洱市医保局官网核对后再提交。",
        )
        self.stdout.write("演示流程：已发布 1 条咨询电话和 1 篇文章，1 篇待核查，1 篇退回修改。")

    def _publish(self, item, editor, checker, publisher):
        workflow.item_submit(item=item, user=editor)
        workflow.item_pass_check(item=item, user=checker)
        workflow.item_approve(item=item, user=publisher)
        workflow.item_publish(item=item, user=publisher)
