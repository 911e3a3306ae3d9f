"""Our own catalogue, read-only, in the shapes of the Open Education API v6 (/api/v1/oeapi/...): courses and
programmes with their offerings, paged as OEAPI pages them (pageSize, pageNumber, hasPreviousPage, hasNextPage,
totalPages, items). Public: only published modules of approved providers. What OEAPI has no field for (spending
category, skills, list price, minimum age, funded-place cap, outcome figures) is in `ext.levenlang`, the place OEAPI
gives for extensions; the importer reads the same fields back."""

import datetime
import math
from zoneinfo import ZoneInfo

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levenlang.catalog.importers import LEVEL_TO_QUALIFICATION
from levenlang.catalog.models import ModeOfDelivery, Module, Offering, Provider
from levenlang.core.api import MAX_PAGE_NUMBER, IntegerField, page_number, page_size
from levenlang.core.categories import Category

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
COURSE_LEVEL = {v: k for k, v in LEVEL_TO_QUALIFICATION.items()}
CATEGORY_NAME = {int(c): c.name.lower() for c in Category}


def _texts(nl: str, en: str) -> list[dict]:
    texts = []
    if nl:
        texts.append({"language": "nl-NL", "value": nl})
    if en:
        texts.append({"language": "en-GB", "value": en})
    return texts


def _moment(date: datetime.date | None) -> str | None:
    """An OEAPI date-time (RFC 3339) for the start of a day in the Netherlands."""
    if date is None:
        return None
    return datetime.datetime.combine(date, datetime.time(0, 0), tzinfo=AMSTERDAM).isoformat()


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def module_as_oeapi(module: Module) -> dict:
    id_key = "courseId" if module.kind == Module.Kind.COURSE else "programmeId"
    data = {
        id_key: str(module.uuid),
        "primaryCode": {"codeType": "identifier", "code": module.code or str(module.uuid)},
        "name": _texts(module.title_nl, module.title_en),
        "description": _texts(module.description_nl, module.description_en),
        "modesOfDelivery": [module.mode_of_delivery],
        "teachingLanguages": [module.language],
        "organisationId": str(module.provider.uuid),
        "ext": {
            "levenlang": {
                "category": CATEGORY_NAME[module.category],
                "skills": list(module.skills),
                "price": _euros(module.price_cents),
                "selfPaced": module.self_paced,
                "minAge": module.min_age,
                "fundedPlaceCap": module.funded_place_cap,
                "completionRate": float(module.completion_rate) if module.completion_rate is not None else None,
                "rating": float(module.rating) if module.rating is not None else None,
                "ratingCount": module.rating_count,
                "levelOfQualification": module.level or None,
            }
        },
    }
    if module.study_load_value is not None:
        data["studyLoad"] = [{"studyLoadUnit": module.study_load_unit, "value": float(module.study_load_value)}]
    if module.kind == Module.Kind.PROGRAMME:
        data["levelOfQualification"] = module.level or None
    else:
        data["level"] = COURSE_LEVEL.get(module.level)
    return data


def offering_as_oeapi(offering: Offering, module: Module) -> dict:
    is_course = module.kind == Module.Kind.COURSE
    title = module.title_nl or module.title_en
    when = offering.start_date.strftime("%d-%m-%Y") if offering.start_date else "zelfstudie"
    data = {
        "courseOfferingId" if is_course else "programmeOfferingId": str(offering.uuid),
        "courseId" if is_course else "programmeId": str(module.uuid),
        "primaryCode": {"codeType": "offering_code", "code": offering.code or str(offering.uuid)},
        "name": [{"language": "nl-NL", "value": f"{title} ({when})"}],
        "state": offering.state,
        "startDateTime": _moment(offering.start_date),
        "endDateTime": _moment(offering.end_date),
        "maxNumberStudents": offering.capacity,
        "teachingLanguages": [offering.language],
        "modesOfDelivery": [module.mode_of_delivery],
        "priceInformation": [{"costType": "total_costs", "amount": _euros(offering.price_cents), "currency": "EUR"}],
        "addresses": [],
        "organisationId": str(module.provider.uuid),
    }
    if offering.postcode or offering.location_name:
        address = {"addressType": "teaching", "postCode": offering.postcode, "city": offering.location_name}
        if offering.latitude is not None:
            address["geolocation"] = {"latitude": float(offering.latitude), "longitude": float(offering.longitude)}
        data["addresses"].append(address)
    return data


def _published(kind: str):
    return Module.objects.filter(
        kind=kind, status=Module.Status.PUBLISHED, provider__status=Provider.Status.APPROVED
    ).select_related("provider")


MAX_PAGE_SIZE = 250


def _page(request, queryset, render) -> dict:
    """One OEAPI page. pageSize 1–250 (OEAPI's default is 10), pageNumber from 1 (bounded: core.api.page_number)."""
    size = page_size(request, "pageSize", default=10, maximum=MAX_PAGE_SIZE)
    number = page_number(request, "pageNumber")
    total = queryset.count()
    pages = max(1, math.ceil(total / size))
    items = [render(obj) for obj in queryset[(number - 1) * size : number * size]]
    return {
        "pageSize": size,
        "pageNumber": number,
        "hasPreviousPage": number > 1,
        "hasNextPage": number < pages,
        "totalPages": pages,
        "items": items,
    }


PAGE_PARAMETERS = [
    OpenApiParameter(
        "pageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, description="Items per page (1–250)."
    ),
    OpenApiParameter(
        "pageNumber", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER}, description="Page number, from 1."
    ),
]
LIST_PARAMETERS = [
    *PAGE_PARAMETERS,
    OpenApiParameter("q", str, description="Words to search for, in Dutch or English."),
    OpenApiParameter("modeOfDelivery", str, enum=ModeOfDelivery.values, description="Only this mode of delivery."),
]
_PAGE = inline_serializer(
    "OeapiPage",
    {
        "pageSize": IntegerField(),
        "pageNumber": IntegerField(),
        "hasPreviousPage": serializers.BooleanField(),
        "hasNextPage": serializers.BooleanField(),
        "totalPages": IntegerField(),
        "items": serializers.ListField(child=serializers.DictField()),
    },
)
_OBJECT = inline_serializer("OeapiObject", {"primaryCode": serializers.DictField(), "name": serializers.ListField()})


class _ModuleList(APIView):
    permission_classes = [AllowAny]
    kind = Module.Kind.COURSE

    def get(self, request):
        queryset = _published(self.kind).order_by("title_nl", "id")
        q = request.query_params.get("q", "").strip()
        if q:
            from levenlang.catalog.services import matching_words

            queryset = matching_words(queryset, q)
        mode = request.query_params.get("modeOfDelivery")
        if mode:
            queryset = queryset.filter(mode_of_delivery=mode)
        return Response(_page(request, queryset, module_as_oeapi))


class _ModuleDetail(APIView):
    permission_classes = [AllowAny]
    kind = Module.Kind.COURSE

    def get(self, request, uuid):
        module = _published(self.kind).filter(uuid=uuid).first()
        if module is None:
            raise NotFound()
        return Response(module_as_oeapi(module))


class _ModuleOfferings(APIView):
    permission_classes = [AllowAny]
    kind = Module.Kind.COURSE

    def get(self, request, uuid):
        module = _published(self.kind).filter(uuid=uuid).first()
        if module is None:
            raise NotFound()
        offerings = module.offerings.exclude(state=Offering.State.CONCEPT).order_by("start_date", "id")
        return Response(_page(request, offerings, lambda o: offering_as_oeapi(o, module)))


class CourseList(_ModuleList):
    """Published courses, OEAPI v6 GET /courses."""

    @extend_schema(parameters=LIST_PARAMETERS, responses=_PAGE, operation_id="oeapi_courses_list")
    def get(self, request):
        return super().get(request)


class CourseDetail(_ModuleDetail):
    """One published course, OEAPI v6 GET /courses/{courseId}."""

    @extend_schema(responses=_OBJECT, operation_id="oeapi_course")
    def get(self, request, uuid):
        return super().get(request, uuid)


class CourseOfferings(_ModuleOfferings):
    """The offerings of a course, OEAPI v6 GET /courses/{courseId}/course-offerings."""

    @extend_schema(parameters=PAGE_PARAMETERS, responses=_PAGE, operation_id="oeapi_course_offerings")
    def get(self, request, uuid):
        return super().get(request, uuid)


class ProgrammeList(_ModuleList):
    """Published programmes, OEAPI v6 GET /programmes."""

    kind = Module.Kind.PROGRAMME

    @extend_schema(parameters=LIST_PARAMETERS, responses=_PAGE, operation_id="oeapi_programmes_list")
    def get(self, request):
        return super().get(request)


class ProgrammeDetail(_ModuleDetail):
    """One published programme, OEAPI v6 GET /programmes/{programmeId}."""

    kind = Module.Kind.PROGRAMME

    @extend_schema(responses=_OBJECT, operation_id="oeapi_programme")
    def get(self, request, uuid):
        return super().get(request, uuid)


class ProgrammeOfferings(_ModuleOfferings):
    """The offerings of a programme, OEAPI v6 GET /programmes/{programmeId}/programme-offerings."""

    kind = Module.Kind.PROGRAMME

    @extend_schema(parameters=PAGE_PARAMETERS, responses=_PAGE, operation_id="oeapi_programme_offerings")
    def get(self, request, uuid):
        return super().get(request, uuid)
