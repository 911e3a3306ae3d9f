"""REST API of the enrolment life cycle (/api/v1/enrolments/): the same steps as the pages, for residents' apps
and providers' own systems. Every POST that changes something needs an `Idempotency-Key` header; errors are
problem details (RFC 9457). A resident sees only their own enrolments, provider staff only those in their own
provider's modules (core.permissions); a look at someone else's enrolment is written to the audit log."""

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levenlang.core.api import IDEMPOTENCY_KEY, IntegerField, get_permitted_object, idempotency_key, own_resident
from levenlang.core.api_fields import CentsField
from levenlang.core.audit import record_view, record_views
from levenlang.core.permissions import VIEW_ENROLMENT, VIEW_FUNDING_PREVIEW
from levenlang.core.roles import Role
from levenlang.enrolment import credentials, services
from levenlang.enrolment.models import Enrolment, EnrolmentEvent
from levenlang.enrolment.views import strong_login_at
from levenlang.ledger import services as ledger
from levenlang.residents import services as residents


def visible_enrolments(user):
    queryset = Enrolment.objects.select_related("resident", "module", "offering", "provider")
    if user.role == Role.ADMINISTRATOR:
        return queryset
    if user.role == Role.PROVIDER_STAFF:
        return queryset.filter(provider__staff=user)
    if user.role == Role.RESIDENT:
        return queryset.filter(resident__user=user)
    return queryset.none()


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrolmentEvent
        fields = ["at", "actor_role", "from_status", "to_status", "note"]


class EnrolmentSerializer(serializers.ModelSerializer):
    module = serializers.UUIDField(source="module.uuid")
    module_title = serializers.CharField(source="module.title")
    offering = serializers.UUIDField(source="offering.uuid")
    start_date = serializers.DateField(source="offering.start_date", allow_null=True)
    provider = serializers.UUIDField(source="provider.uuid")
    provider_name = serializers.CharField(source="provider.name")
    learner = serializers.UUIDField(source="resident.uuid")
    learner_name = serializers.CharField(source="resident.__str__")
    flagged = serializers.BooleanField(source="is_flagged", help_text="Open, and the provider is suspended.")
    has_credential = serializers.SerializerMethodField()
    price_cents = CentsField()
    covered_cents = CentsField(allow_null=True)
    own_share_cents = CentsField(allow_null=True)
    paid_cents = CentsField(allow_null=True)

    class Meta:
        model = Enrolment
        fields = [
            "uuid",
            "status",
            "module",
            "module_title",
            "offering",
            "start_date",
            "provider",
            "provider_name",
            "learner",
            "learner_name",
            "price_cents",
            "covered_cents",
            "own_share_cents",
            "start_deadline",
            "completed_percent",
            "paid_cents",
            "flagged",
            "has_credential",
            "created_at",
        ]

    def get_has_credential(self, enrolment) -> bool:
        return enrolment.credential is not None


class EnrolmentDetailSerializer(EnrolmentSerializer):
    events = EventSerializer(many=True)

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "events"]


class RequestSerializer(serializers.Serializer):
    offering = serializers.UUIDField(help_text="The offering to book (a dated cohort or a self-paced run).")
    note = serializers.CharField(required=False, default="", max_length=300, allow_blank=True)


class StepResult(serializers.Serializer):
    enrolment = serializers.UUIDField()
    status = serializers.CharField()
    price_cents = CentsField()
    covered_cents = CentsField(allow_null=True)
    own_share_cents = CentsField(allow_null=True)
    completed_percent = IntegerField(allow_null=True)
    paid_cents = CentsField(allow_null=True)


class EnrolmentList(ListAPIView):
    """GET: the enrolments this user may see (a resident: their own; provider staff: in their own modules).
    POST (residents): ask for a place in an offering; nothing is reserved until the provider accepts and you
    confirm."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        return visible_enrolments(self.request.user).order_by("-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        page = self.paginator.page if self.paginator and hasattr(self.paginator, "page") else []
        record_views(request.user, [e.resident for e in page], reason="API: lijst van inschrijvingen", request=request)
        return response

    @extend_schema(request=RequestSerializer, responses={201: StepResult}, parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        key = idempotency_key(request)
        resident = own_resident(request, residents.resident_of)
        body = RequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.request_enrolment(
            offering_uuid=body.validated_data["offering"],
            resident=resident,
            actor=request.user,
            key=key,
            note=body.validated_data["note"],
        )
        return Response(StepResult(result).data, status=201)


class EnrolmentDetail(APIView):
    """One enrolment with every event (who, when, from, to, note)."""

    @extend_schema(responses=EnrolmentDetailSerializer)
    def get(self, request, uuid):
        enrolment = get_permitted_object(request, visible_enrolments(request.user), VIEW_ENROLMENT, uuid=uuid)
        record_view(request.user, enrolment.resident, reason="API: inschrijving", request=request)
        return Response(EnrolmentDetailSerializer(enrolment).data)


class EnrolmentPreview(APIView):
    """The learner, or an administrator for support (audited): which pot would pay how much now, and the own share."""

    @extend_schema(responses=ledger.PreviewResponse)
    def get(self, request, uuid):
        enrolment = get_permitted_object(request, visible_enrolments(request.user), VIEW_FUNDING_PREVIEW, uuid=uuid)
        record_view(request.user, enrolment.resident, reason="API: funding preview of an enrolment", request=request)
        return Response(ledger.PreviewResponse(services.funding_preview(enrolment).as_dict()).data)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, default="", max_length=300, allow_blank=True)


class CompleteSerializer(NoteSerializer):
    percent = IntegerField(
        min_value=1, max_value=100, default=100, help_text="The part of the course followed; 100 = completed."
    )


class ReserveSerializer(serializers.Serializer):
    expected_own_share_cents = CentsField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The own share the person saw in the preview; a larger own share is refused (409).",
    )


class _Step(APIView):
    step: str
    body = NoteSerializer

    def call(self, uuid, request, key, data) -> dict:
        raise NotImplementedError

    def post(self, request, uuid):
        key = idempotency_key(request)
        get_permitted_object(request, visible_enrolments(request.user), VIEW_ENROLMENT, uuid=uuid)
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(StepResult(self.call(uuid, request, key, body.validated_data)).data)


def _step_view(name: str, doc: str, call, body=NoteSerializer) -> type[_Step]:
    """One view per step, so that each has its own request body and description in the OpenAPI schema."""

    @extend_schema(request=body, responses=StepResult, parameters=[IDEMPOTENCY_KEY])
    def post(self, request, uuid):
        return _Step.post(self, request, uuid)

    return type(
        f"Enrolment{name.title()}",
        (_Step,),
        {
            "__doc__": doc,
            "step": name,
            "body": body,
            "call": lambda self, uuid, request, key, data: call(uuid, request, key, data),
            "post": post,
        },
    )


EnrolmentAccept = _step_view(
    "accept",
    "Provider: accept a request (there is a place).",
    lambda u, r, k, d: services.accept(u, actor=r.user, key=k, note=d["note"]),
)
EnrolmentRefuse = _step_view(
    "refuse",
    "Provider: refuse a request.",
    lambda u, r, k, d: services.refuse(u, actor=r.user, key=k, note=d["note"]),
)
EnrolmentReserve = _step_view(
    "reserve",
    "Learner: confirm and reserve the money through the waterfall. Needs a strong login (DigiD substantieel) in "
    "this session within the last minutes; refused when no funded place is left this quarter.",
    lambda u, r, k, d: services.reserve(
        u,
        actor=r.user,
        key=k,
        strong_login_at=strong_login_at(r),
        expected_own_share_cents=d["expected_own_share_cents"],
    ),
    ReserveSerializer,
)
EnrolmentStart = _step_view(
    "start",
    "Provider: declare that the course has started (on or after its start date).",
    lambda u, r, k, d: services.declare_start(u, actor=r.user, key=k, note=d["note"]),
)
EnrolmentComplete = _step_view(
    "complete",
    "Provider: declare the completion, or the part followed (percent < 100: only that part is paid).",
    lambda u, r, k, d: services.declare_completion(u, actor=r.user, key=k, percent=d["percent"], note=d["note"]),
    CompleteSerializer,
)
EnrolmentConfirm = _step_view(
    "confirm",
    "Learner (or an administrator): confirm the course was given. Now the provider is paid.",
    lambda u, r, k, d: services.confirm_completion(u, actor=r.user, key=k, note=d["note"]),
)
EnrolmentDispute = _step_view(
    "dispute",
    "Learner: the course was not given. Nothing is paid; an administrator decides (confirm or cancel).",
    lambda u, r, k, d: services.dispute_completion(u, actor=r.user, key=k, note=d["note"]),
)
EnrolmentCancel = _step_view(
    "cancel",
    "Learner or provider before the start, administrator any open enrolment: cancel; reserved money goes back.",
    lambda u, r, k, d: services.cancel(u, actor=r.user, key=k, note=d["note"]),
)

STEP_VIEWS = {
    "accept": EnrolmentAccept,
    "refuse": EnrolmentRefuse,
    "reserve": EnrolmentReserve,
    "start": EnrolmentStart,
    "complete": EnrolmentComplete,
    "confirm": EnrolmentConfirm,
    "dispute": EnrolmentDispute,
    "cancel": EnrolmentCancel,
}


class BulkError(serializers.Serializer):
    line = IntegerField()
    detail = serializers.CharField()


class BulkReportSerializer(serializers.Serializer):
    rows = IntegerField()
    applied = IntegerField()
    errors = BulkError(many=True)  # type: ignore[assignment]  # stubs: Serializer.errors is the validation result


class DeclarationUpload(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: enrolment,action,percent,note (action: start or complete).")


class Declarations(APIView):
    """Provider: declare starts and completions in bulk from a CSV file, all or nothing. With a bad line nothing
    is saved, and the answer (422) lists every bad line with the reason."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": DeclarationUpload},
        responses={200: BulkReportSerializer, 422: OpenApiResponse(BulkReportSerializer)},
    )
    def post(self, request):
        if request.user.role != Role.PROVIDER_STAFF:
            raise PermissionDenied(_("Only provider staff declare starts and completions."))
        upload = request.FILES.get("file")
        if upload is None or upload.size > 2_000_000:
            raise ValidationError({"file": _("Send a CSV file of at most 2 MB in the field “file”.")})
        report = services.declare_in_bulk(upload.read(), actor=request.user)
        data = {
            "rows": report.rows,
            "applied": report.applied,
            "errors": [{"line": line, "detail": why} for line, why in report.errors],
        }
        return Response(BulkReportSerializer(data).data, status=200 if report.ok else 422)


class CredentialDownload(APIView):
    """The signed credential (Open Badges 3.0) of a completed enrolment."""

    @extend_schema(responses={200: OpenApiResponse(description="An OpenBadgeCredential (JSON-LD).")})
    def get(self, request, uuid):
        enrolment = get_permitted_object(
            request, visible_enrolments(request.user).filter(~Q(credential=None)), VIEW_ENROLMENT, uuid=uuid
        )
        record_view(request.user, enrolment.resident, reason="API: bewijs", request=request, export=True)
        return Response(enrolment.credential)


class VerifyRequest(serializers.Serializer):
    credential = serializers.JSONField(help_text="The credential: a JSON object, or its text.")


class VerifyResponse(serializers.Serializer):
    valid = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    summary = serializers.DictField()


class CredentialVerify(APIView):
    """Anyone: check a credential's signature. Says valid or not, and why."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=VerifyRequest, responses=VerifyResponse)
    def post(self, request):
        body = VerifyRequest(data=request.data)
        body.is_valid(raise_exception=True)
        result = credentials.verify(body.validated_data["credential"])
        return Response(
            VerifyResponse(
                {"valid": result.valid, "reasons": [str(r) for r in result.reasons], "summary": result.summary}
            ).data
        )
