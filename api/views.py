"""The public read API. Views parse and check the query, pick rows from the live forms (never from
working copies) and send their ready-made JSON: one count and one page query per list, one query per
detail, no serializer work on the hot path."""

import base64
import binascii
import datetime
import json
import re
import socket
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView

from cms.middleware import set_last_modified
from cms.models import Flag, LiveArticle, LiveClock, LiveHospital, LiveHotline, LiveRemoval, Region
from cms.search import term_tokens
from cms.services.live import article_json_sql, live_clock
from policies.models import Policy

from . import filters, serializers

MAX_VALUE_LENGTH = 200
MAX_TERMS = 5
MAX_PAGE = 100_000

PAGE = OpenApiParameter(
    "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, description="页码，从 1 开始"
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": 100},
    description="每页条数（1–100，默认 20）",
)
SEARCH = OpenApiParameter(
    "q",
    {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": "^[^\\x00]*$"},
    description="检索词，空格分隔，全部命中（最多 5 个）；标题命中多者在前。如：湛江 医保 电话",
)
CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": "^[A-Za-z0-9_=-]*$"},
    required=True,
    description="同步游标：首次传 0，之后传上次返回的 next_cursor",
)
VALIDATION_ERROR = {
    "type": "object",
    "description": "参数错误：每个出错的参数名对应一组中文说明",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERRORS = {
    400: OpenApiResponse(VALIDATION_ERROR, description="参数错误（未知参数、取值无效、空字节、过长）"),
    429: OpenApiResponse(DETAIL_ERROR, description="请求过于频繁；Retry-After 头给出需等待的秒数"),
}
NOT_FOUND = {404: OpenApiResponse(DETAIL_ERROR, description="没有找到（或页码超出范围）")}


def ordering_parameter(fields) -> OpenApiParameter:
    names = ", ".join(fields)
    return OpenApiParameter(
        "ordering",
        str,
        enum=[f"{sign}{f}" for f in fields for sign in ("", "-")],
        description=f"排序字段：{names}；前加 - 为倒序",
    )


class ReadSchema(AutoSchema):
    """drf-spectacular documents FilterSet parameters on list views only, and does not recognise these
    (GenericAPIView.get with a page serializer) as lists: document the filters of every view that has
    a FilterSet (lists and sync feeds)."""

    def get_filter_backends(self):
        return (
            getattr(self.view, "filter_backends", []) if getattr(self.view, "filterset_class", None) else []
        )


_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: "²".isdigit() is True but int("²") fails
_CURSOR_NUMBER = re.compile(r"[0-9]{1,18}")


class ReadView(GenericAPIView):
    """Checks every query parameter before anything else: unknown names, NUL bytes and overlong values
    are a 400."""

    filter_backends = [DjangoFilterBackend]
    parameters: frozenset[str] = frozenset()
    schema = ReadSchema()

    def check_parameters(self, request) -> None:
        allowed = self.parameters | set(self.filterset_class.base_filters if self.filterset_class else ())
        errors = {}
        for name in request.GET:
            values = request.GET.getlist(name)
            if name not in allowed:
                errors[name[:50]] = ["未知的查询参数。"]
            elif len(values) > 1:
                errors[name] = ["参数只能出现一次。"]
            elif "\x00" in values[0] or len(values[0]) > MAX_VALUE_LENGTH:
                errors[name] = [f"参数值含有空字节或超过 {MAX_VALUE_LENGTH} 个字符。"]
        if errors:
            raise ValidationError(errors)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_parameters(request)


def _int_parameter(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not (low <= int(raw) <= high):
        raise ValidationError({name: [f"应为 {low} 到 {high} 之间的整数。"]})
    return int(raw)


def _json_response(body: str, *, changed_at: datetime.datetime | None) -> HttpResponse:
    response = HttpResponse(body.encode(), content_type="application/json")
    set_last_modified(response, changed_at)
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return response


def _as_datetime(value) -> datetime.datetime | None:
    """A timestamp read by hand-written SQL: PostgreSQL hands back a datetime, SQLite its text."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def json_text_sql(model, alias: str) -> str:
    """SQL for the JSON text readers get of a live row named ``alias``: the stored payload, and for
    an article its ``outdated`` part from its open flags."""
    if model is LiveArticle:
        return article_json_sql(alias)
    return f"CAST({alias}.payload AS TEXT)"


def json_text(model) -> RawSQL:
    """``json_text_sql`` as an annotation of a queryset over ``model``."""
    return RawSQL(json_text_sql(model, model._meta.db_table), [], output_field=TextField())  # noqa: S611


def read_page(queryset: QuerySet, offset: int, size: int) -> tuple[int, datetime.datetime | None, str]:
    """The filtered count, the clock's time and the page's ready-made JSON objects joined by commas.

    On PostgreSQL in one query: the page's ids are chosen first (an index-only walk however deep the
    page) and only those rows' payloads are read and joined, in order, by the database. Elsewhere
    (the embedded SQLite default) in three plain queries."""
    ids = queryset.values_list("pk", flat=True)[offset : offset + size]
    model = queryset.model
    if connection.vendor != "postgresql":
        count = queryset.count()
        rows = model.objects.filter(pk__in=list(ids)).annotate(_text=json_text(model))
        texts = dict(rows.values_list("pk", "_text"))
        order = list(ids)
        return count, live_clock()[1], ",".join(texts[pk] for pk in order if pk in texts)
    try:
        ids_sql, ids_params = ids.query.sql_with_params()
        count_sql, count_params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (queryset.none())
        return 0, live_clock()[1], ""
    meta = queryset.model._meta
    sql = (
        f"SELECT (SELECT count(*) FROM ({count_sql}) AS filtered),"  # noqa: S608 -- compiled by the ORM
        f" (SELECT changed_at FROM {LiveClock._meta.db_table} WHERE id = 1),"
        f" (SELECT string_agg({json_text_sql(model, 't')}, ',' ORDER BY p.ord)"
        f"    FROM unnest(ARRAY({ids_sql})) WITH ORDINALITY AS p(id, ord)"
        f"    JOIN {meta.db_table} t ON t.{meta.pk.column} = p.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*count_params, *ids_params])
        count, changed_at, text = cursor.fetchone()
    return count, changed_at, text or ""


class LiveListView(ReadView):
    """A list of live rows: filters, Chinese search, ordering and page numbers."""

    ordering_fields: tuple[str, ...] = ("updated_at",)
    default_ordering = "-updated_at"
    title_field = "title"
    parameters = frozenset({"page", "page_size", "ordering", "q"})

    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        queryset = self.search(request, queryset)
        queryset = self.order(request, queryset)
        size = _int_parameter(request, "page_size", settings.API_PAGE_SIZE, 1, settings.API_MAX_PAGE_SIZE)
        page = _int_parameter(request, "page", 1, 1, MAX_PAGE)
        count, changed_at, items = read_page(queryset, (page - 1) * size, size)
        if page > 1 and (page - 1) * size >= count:
            raise NotFound(f"第 {page} 页超出范围（共 {count} 条）。")
        body = '{"count":%d,"next":%s,"previous":%s,"results":[%s]}' % (  # noqa: UP031  (the fast path)
            count,
            json.dumps(self.page_url(request, page + 1) if page * size < count else None),
            json.dumps(self.page_url(request, page - 1) if page > 1 else None),
            items,
        )
        return _json_response(body, changed_at=changed_at)

    def page_url(self, request, page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return request.build_absolute_uri(request.path) + "?" + query.urlencode()

    def search(self, request, queryset: QuerySet) -> QuerySet:
        """Every term must occur in the search text (stored lower-cased, so that a plain LIKE is
        case-insensitive); on PostgreSQL Chinese terms are looked up by their characters and pairs of
        characters first (cms.search). Titles with more of the terms come first."""
        q = request.GET.get("q", "").strip()
        if not q:
            return queryset
        terms = [t.lower() for t in q.split()[:MAX_TERMS]]
        indexed = connection.vendor == "postgresql"
        required: list[str] = []
        for term in terms:
            tokens, confirm = term_tokens(term) if indexed else ([], True)
            required += tokens
            if confirm or not tokens:
                queryset = queryset.filter(search_text__contains=term)
        if required:
            vector = f'"{queryset.model._meta.db_table}"."search_vector"'
            queryset = queryset.filter(
                RawSQL(  # noqa: S611 -- the table name is our own; the tokens are a bound parameter
                    f"{vector} @@ to_tsquery('simple', %s)", [" & ".join(required)], BooleanField()
                )
            )
        rank = sum(
            (
                Case(When(**{f"{self.title_field}__icontains": t}, then=Value(1)), default=Value(0))
                for t in terms
            ),
            start=Value(0),
        )
        self._search_rank = True
        return queryset.annotate(_rank=Cast(rank, IntegerField()))

    def order(self, request, queryset: QuerySet) -> QuerySet:
        ordering = request.GET.get("ordering", "")
        if ordering:
            if ordering.removeprefix("-") not in self.ordering_fields:
                raise ValidationError(
                    {"ordering": [f"只能按 {', '.join(self.ordering_fields)} 排序（前加 - 为倒序）。"]}
                )
            fields = [ordering, "-pk" if ordering.startswith("-") else "pk"]
        elif getattr(self, "_search_rank", False):
            fields = ["-_rank", "-updated_at", "-pk"]
        else:
            fields = [self.default_ordering, "-pk"]
        return queryset.order_by(*fields)


FLAGGED = object()  # a sync event whose article's text is read afterwards


def encode_cursor(seq: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{seq}.{pk}".encode()).decode()


def decode_cursor(token: str) -> tuple[int, int]:
    """``"0"`` (or nothing) starts from the beginning."""
    if token in ("", "0"):
        return (-1, 0)
    try:
        seq, pk = base64.urlsafe_b64decode(token.encode()).decode().split(".")
        if not (_CURSOR_NUMBER.fullmatch(seq) and _CURSOR_NUMBER.fullmatch(pk)):
            raise ValueError
        return int(seq), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": ["同步游标无效；从头同步请用 cursor=0。"]}) from exc


class LiveSyncView(ReadView):
    """Every change since the cursor, in the live clock's order, page after page: as fast on the last
    page as on the first. The clock numbers changes in commit order, so a change that commits late
    can never fall behind a cursor already handed out. Withdrawals are listed under ``removed``
    (whatever the filters: the item is gone, there is nothing left to filter on)."""

    parameters = frozenset({"cursor", "page_size"})
    kind = ""

    def get(self, request, *args, **kwargs):
        if "cursor" not in request.GET:
            raise ValidationError({"cursor": ["请提供同步游标；从头同步请用 cursor=0。"]})
        size = _int_parameter(request, "page_size", settings.API_PAGE_SIZE, 1, settings.API_MAX_PAGE_SIZE)
        seq, pk = decode_cursor(request.GET["cursor"])
        queryset = self.filter_queryset(self.get_queryset())
        changed = list(
            queryset.filter(Q(seq__gt=seq) | Q(seq=seq, pk__gt=pk))
            .order_by("seq", "pk")
            .annotate(_text=json_text(queryset.model))
            .values_list("seq", "pk", "_text")[:size]
        )
        removed = list(
            LiveRemoval.objects.filter(Q(seq__gt=seq) | Q(seq=seq, item_id__gt=pk), kind=self.kind)
            .order_by("seq", "item_id")
            .values_list("seq", "item_id")[:size]
        )
        flagged = self.flag_events(queryset, seq, pk, size)
        events = sorted(
            [*changed, *((s, i, None) for s, i in removed), *((s, i, FLAGGED) for s, i in flagged)],
            key=lambda e: e[:2],
        )[:size]
        cursor = encode_cursor(*events[-1][:2]) if events else request.GET["cursor"]
        texts = self.flagged_texts(queryset, {i for _, i, text in events if text is FLAGGED})
        results, listed = [], set()
        for _, item, text in events:  # an article changed and flagged in one page is listed once
            text = texts.get(item) if text is FLAGGED else text
            if text is not None and item not in listed:
                listed.add(item)
                results.append(text)
        body = '{"next_cursor":%s,"results":[%s],"removed":%s}' % (  # noqa: UP031
            json.dumps(cursor),
            ",".join(results),
            json.dumps([item for _, item, text in events if text is None]),
        )
        return _json_response(body, changed_at=live_clock()[1])

    def flag_events(self, queryset: QuerySet, seq: int, pk: int, size: int) -> list[tuple[int, int]]:
        """Articles only: flags raised or resolved after the cursor change what readers see of an
        article (its ``outdated`` part) without a change of its live row; each is an event at its
        clock number, for the articles the filters keep."""
        if queryset.model is not LiveArticle:
            return []
        kept = Exists(queryset.filter(pk=OuterRef("article_id")))
        raised, resolved = (
            Flag.objects.filter(
                Q(**{f"{field}__gt": seq}) | Q(**{field: seq, "article_id__gt": pk}),
                kept,
                article__isnull=False,
                **{f"{field}__isnull": False},
            )
            .order_by(field, "article_id")
            .values_list(field, "article_id")[:size]
            for field in ("seq", "resolved_seq")
        )
        return list(raised.union(resolved, all=True))  # one query

    @staticmethod
    def flagged_texts(queryset: QuerySet, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = queryset.filter(pk__in=ids).annotate(_text=json_text(LiveArticle))
        return dict(rows.values_list("pk", "_text"))


class LiveDetailView(ReadView):
    """One live row's ready-made JSON and the clock's time, by one hand-written query: the ORM would
    cost more than the query to build it."""

    lookup_field = "pk"

    def dispatch(self, request, *args, **kwargs):
        """The hot path of the whole product, so a found item is served without DRF's request
        wrapping, content negotiation and permission machinery (a detail takes no parameters and has
        one representation): look it up, then ask the throttle, which counts it. A query string or a
        refusal by the throttle goes the whole DRF way (the throttle refuses again, counting nothing)."""
        if request.method in ("GET", "HEAD") and not request.GET:
            self.args, self.kwargs, self.request = args, kwargs, request
            try:
                response = self.get(request, *args, **kwargs)
            except NotFound as missing:
                response = JsonResponse(
                    {"detail": str(missing.detail)}, status=404, json_dumps_params={"ensure_ascii": False}
                )
            if all(throttle.allow_request(request, self) for throttle in self.get_throttles()):
                return response
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        row = read_detail(self.get_queryset().model, self.lookup_field, kwargs[self.lookup_field])
        if row is None:
            raise NotFound("没有找到已发布的内容。")
        text, changed_at = row
        return _json_response(text, changed_at=changed_at)


def read_detail(model, lookup_field: str, value) -> tuple[str, datetime.datetime | None] | None:
    """A live row's JSON text as readers get it and the clock's time, by one hand-written query (the
    ORM would cost more than the query); None if there is no such row."""
    meta = model._meta
    column = meta.pk.column if lookup_field == "pk" else meta.get_field(lookup_field).column
    with connection.cursor() as cursor:
        clock = f"(SELECT changed_at FROM {LiveClock._meta.db_table} WHERE id = 1)"  # noqa: S608
        cursor.execute(
            f"SELECT {json_text_sql(model, 'l')}, {clock}"  # noqa: S608 -- our own names
            f" FROM {meta.db_table} l WHERE l.{column} = %s",
            [value],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], _as_datetime(row[1]))


def list_schema(serializer, ordering_fields, summary):
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"{_name(serializer)}_list",
            summary=summary,
            responses={200: serializers.paginated(serializer), **ERRORS, **NOT_FOUND},
            parameters=[PAGE, PAGE_SIZE, SEARCH, ordering_parameter(ordering_fields)],
        )
    )


def sync_schema(serializer, summary):
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            responses={200: serializers.sync_page(serializer), **ERRORS},
            parameters=[CURSOR, PAGE_SIZE],
        )
    )


def detail_schema(serializer, summary):
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"{_name(serializer)}_detail",
            summary=summary,
            responses={200: serializer, **ERRORS, **NOT_FOUND},
        )
    )


def _name(serializer) -> str:
    return serializer.__name__.removesuffix("Serializer").removesuffix("Detail").lower()


ARTICLE_ORDERING = ("updated_at", "published_at", "title")
HOTLINE_ORDERING = ("updated_at", "organisation")
HOSPITAL_ORDERING = ("updated_at", "name")


@list_schema(serializers.ArticleSerializer, ARTICLE_ORDERING, "已发布的文章")
class ArticleList(LiveListView):
    queryset = LiveArticle.objects.all()
    serializer_class = serializers.ArticleSerializer
    filterset_class = filters.ArticleFilter
    ordering_fields = ARTICLE_ORDERING


@sync_schema(serializers.ArticleSerializer, "同步文章的变化")
class ArticleSync(LiveSyncView):
    kind = "article"
    queryset = LiveArticle.objects.all()
    serializer_class = serializers.ArticleSerializer
    filterset_class = filters.ArticleFilter


@detail_schema(serializers.ArticleSerializer, "一篇已发布的文章")
class ArticleDetail(LiveDetailView):
    queryset = LiveArticle.objects.all()
    serializer_class = serializers.ArticleSerializer
    filterset_class = None
    lookup_field = "slug"


@list_schema(serializers.HotlineSerializer, HOTLINE_ORDERING, "已发布的咨询电话")
class HotlineList(LiveListView):
    queryset = LiveHotline.objects.all()
    serializer_class = serializers.HotlineSerializer
    filterset_class = filters.HotlineFilter
    ordering_fields = HOTLINE_ORDERING
    title_field = "organisation"


@sync_schema(serializers.HotlineSerializer, "同步咨询电话的变化")
class HotlineSync(LiveSyncView):
    kind = "hotline"
    queryset = LiveHotline.objects.all()
    serializer_class = serializers.HotlineSerializer
    filterset_class = filters.HotlineFilter


@detail_schema(serializers.HotlineSerializer, "一条已发布的咨询电话")
class HotlineDetail(LiveDetailView):
    queryset = LiveHotline.objects.all()
    serializer_class = serializers.HotlineSerializer
    filterset_class = None


@list_schema(serializers.HospitalSerializer, HOSPITAL_ORDERING, "已发布的医院")
class HospitalList(LiveListView):
    queryset = LiveHospital.objects.all()
    serializer_class = serializers.HospitalSerializer
    filterset_class = filters.HospitalFilter
    ordering_fields = HOSPITAL_ORDERING
    title_field = "name"


@sync_schema(serializers.HospitalSerializer, "同步医院的变化")
class HospitalSync(LiveSyncView):
    kind = "hospital"
    queryset = LiveHospital.objects.all()
    serializer_class = serializers.HospitalSerializer
    filterset_class = filters.HospitalFilter


@detail_schema(serializers.HospitalSerializer, "一家已发布的医院")
class HospitalDetail(LiveDetailView):
    queryset = LiveHospital.objects.all()
    serializer_class = serializers.HospitalSerializer
    filterset_class = None


def policy_json(policy: Policy) -> dict:
    return {
        "id": policy.pk,
        "title": policy.title,
        "document_number": policy.document_number,
        "issuing_authority": policy.issuing_authority,
        "region": policy.region_id,
        "effective_from": policy.effective_from.isoformat() if policy.effective_from else None,
        "effective_to": policy.effective_to.isoformat() if policy.effective_to else None,
        "superseded_by": policy.superseded_by_id,
        "updated_at": policy.updated_at.isoformat(),
    }


class SmallListView(ReadView):
    """Lists of reference data (policies, regions), serialised in Python: small and rarely read."""

    def to_json(self, obj) -> dict:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        q = request.GET.get("q", "").strip()
        if q:
            for term in q.split()[:MAX_TERMS]:
                queryset = queryset.filter(**{f"{self.search_field}__icontains": term})
        size = _int_parameter(request, "page_size", settings.API_PAGE_SIZE, 1, settings.API_MAX_PAGE_SIZE)
        page = _int_parameter(request, "page", 1, 1, MAX_PAGE)
        count = queryset.count()
        if page > 1 and (page - 1) * size >= count:
            raise NotFound(f"第 {page} 页超出范围（共 {count} 条）。")
        rows = [self.to_json(obj) for obj in queryset[(page - 1) * size : page * size]]
        base = request.build_absolute_uri(request.path)
        data = {
            "count": count,
            "next": f"{base}?{urlencode({**request.GET.dict(), 'page': page + 1})}"
            if page * size < count
            else None,
            "previous": f"{base}?{urlencode({**request.GET.dict(), 'page': page - 1})}" if page > 1 else None,
            "results": rows,
        }
        return _json_response(json.dumps(data, ensure_ascii=False), changed_at=live_clock()[1])


@extend_schema_view(
    get=extend_schema(
        summary="政策文件",
        responses={200: serializers.paginated(serializers.PolicySerializer), **ERRORS, **NOT_FOUND},
        parameters=[PAGE, PAGE_SIZE, SEARCH],
    )
)
class PolicyList(SmallListView):
    serializer_class = serializers.PolicySerializer
    parameters = frozenset({"page", "page_size", "q"})
    queryset = Policy.objects.order_by("-effective_from", "pk")
    filterset_class = filters.PolicyFilter
    search_field = "title"

    def to_json(self, obj):
        return policy_json(obj)


@detail_schema(serializers.PolicySerializer, "一项政策")
class PolicyDetail(ReadView):
    serializer_class = serializers.PolicySerializer
    queryset = Policy.objects.all()
    filterset_class = None

    def get(self, request, pk):
        policy = Policy.objects.filter(pk=pk).first()
        if policy is None:
            raise NotFound("没有找到该政策。")
        return _json_response(json.dumps(policy_json(policy), ensure_ascii=False), changed_at=live_clock()[1])


def region_json(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "full_name": region.full_name,
        "level": region.level,
        "parent": region.parent_id,
        "area_codes": ["0" + a.code for a in region.area_codes.all()],
    }


@extend_schema_view(
    get=extend_schema(
        summary="行政区划",
        responses={200: serializers.paginated(serializers.RegionSerializer), **ERRORS, **NOT_FOUND},
        parameters=[PAGE, PAGE_SIZE, SEARCH],
    )
)
class RegionList(SmallListView):
    serializer_class = serializers.RegionSerializer
    parameters = frozenset({"page", "page_size", "q"})
    queryset = Region.objects.prefetch_related("area_codes").order_by("code")
    filterset_class = filters.RegionFilter
    search_field = "full_name"

    def to_json(self, obj):
        return region_json(obj)


@detail_schema(serializers.RegionDetailSerializer, "一个行政区及其下级")
class RegionDetail(ReadView):
    serializer_class = serializers.RegionDetailSerializer
    queryset = Region.objects.all()
    filterset_class = None

    def get(self, request, code):
        region = Region.objects.prefetch_related("area_codes").filter(pk=code).first()
        if region is None:
            raise NotFound("没有这个行政区划代码。")
        data = region_json(region)
        data["children"] = [
            {"code": c.code, "name": c.name, "level": c.level} for c in region.children.order_by("code")
        ]
        return _json_response(json.dumps(data, ensure_ascii=False), changed_at=live_clock()[1])


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {"database": _database_ready(), "broker": _broker_ready(settings.CELERY_BROKER_URL)}
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ready(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        return parsed.scheme in ("memory", "filesystem", "sqla+sqlite")
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as s:
            if parsed.password:
                s.sendall(f"AUTH {parsed.password}\r\n".encode())
                s.recv(64)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False
