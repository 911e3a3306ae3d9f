"""REST API of the Leerrekening (/api/v1/): where a person or an organisation acts on it. Every POST needs an
`Idempotency-Key` header; the same key with the same body returns the first answer, with another body 409."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from levenlang.core.permissions import DEPOSIT_FROM_EMPLOYER, DEPOSIT_FROM_SECTOR_FUND
from levenlang.core.roles import Role
from levenlang.employers.models import Employer, SectorFund
from levenlang.ledger import services
from levenlang.ledger.models import Category, Pot, PotKind, SystemAccount, categories_in
from levenlang.ledger.payments import get_provider
from levenlang.residents.models import Resident

CATEGORY_BY_NAME = {c.name.lower(): c for c in Category}
CATEGORY_NAMES = sorted(CATEGORY_BY_NAME)  # the enum in the OpenAPI schema (SPECTACULAR_SETTINGS)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, description="A unique key per request."
)


def idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise ValidationError({"Idempotency-Key": _("Send a unique Idempotency-Key header (1 to 100 characters).")})
    # Keys are per user: two users can never collide, nor replay each other's answers.
    return f"api:{request.user.uuid}:{key}"


def own_resident(request) -> Resident:
    resident = Resident.objects.filter(user=request.user).first() if request.user.role == Role.RESIDENT else None
    if resident is None:
        raise PermissionDenied(_("Only a resident has a Leerrekening."))
    return resident


class CategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CATEGORY_NAMES, **kwargs)

    def to_internal_value(self, data):
        return CATEGORY_BY_NAME[super().to_internal_value(data)]


class PotSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    categories = serializers.SerializerMethodField()
    available_cents = serializers.IntegerField()

    class Meta:
        model = Pot
        fields = [
            "uuid",
            "kind",
            "source",
            "categories",
            "expires_on",
            "posted_cents",
            "pending_cents",
            "available_cents",
        ]

    def get_categories(self, pot) -> list[str]:
        return [c.name.lower() for c in categories_in(pot.earmark)]


class LeerrekeningSerializer(serializers.Serializer):
    pots = PotSerializer(many=True)
    available_cents = serializers.IntegerField()
    reserved_cents = serializers.IntegerField()


class LeerrekeningView(APIView):
    """The resident's own Leerrekening: every pot with what it may pay for and until when."""

    @extend_schema(responses=LeerrekeningSerializer)
    def get(self, request):
        resident = own_resident(request)
        pots = list(Pot.objects.filter(leerrekening_id=resident.pk).select_related("source").order_by("id"))
        data = {
            "pots": pots,
            "available_cents": sum(p.available_cents for p in pots),
            "reserved_cents": sum(p.pending_cents for p in pots),
        }
        return Response(LeerrekeningSerializer(data).data)


class PreviewRequest(serializers.Serializer):
    category = CategoryField()
    price_cents = serializers.IntegerField(min_value=1)


class DrawSerializer(serializers.Serializer):
    pot = serializers.UUIDField()
    kind = serializers.CharField()
    lot = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)
    amount_cents = serializers.IntegerField()


class PreviewResponse(serializers.Serializer):
    price_cents = serializers.IntegerField()
    covered_cents = serializers.IntegerField()
    own_share_cents = serializers.IntegerField()
    draws = DrawSerializer(many=True)


class PreviewView(APIView):
    """Which pot would pay how much for a purchase, and what is left for the resident to pay. Changes nothing."""

    @extend_schema(request=PreviewRequest, responses=PreviewResponse)
    def post(self, request):
        resident = own_resident(request)
        body = PreviewRequest(data=request.data)
        body.is_valid(raise_exception=True)
        preview = services.preview(resident_id=resident.pk, **body.validated_data)
        return Response(PreviewResponse(preview.as_dict()).data)


class DepositRequest(serializers.Serializer):
    resident = serializers.UUIDField(help_text="The employee's resident ID (never a BSN).")
    amount_cents = serializers.IntegerField(min_value=1)
    categories = serializers.ListField(child=CategoryField(), min_length=1)
    expires_on = serializers.DateField(required=False, allow_null=True)
    employer = serializers.UUIDField(required=False, help_text="Needed when you work for several employers.")
    sector_fund = serializers.UUIDField(required=False, help_text="Needed when you work for several funds.")


class DepositResponse(serializers.Serializer):
    journal = serializers.UUIDField()
    pot = serializers.UUIDField()
    amount_cents = serializers.IntegerField()


def _one(queryset, uuid, what: str):
    if uuid is not None:
        queryset = queryset.filter(uuid=uuid)
    found = list(queryset[:2])
    if len(found) != 1:
        raise ValidationError({what: _("Say which one: you act for more than one, or for none.")})
    return found[0]


class DepositView(APIView):
    """An employer or sector fund puts money in an employee's Leerrekening, with what it may pay for."""

    @extend_schema(request=DepositRequest, responses=DepositResponse, parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        key = idempotency_key(request)
        body = DepositRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        today = timezone.localdate()
        current = Q(employments__end_date__isnull=True) | Q(employments__end_date__gte=today)
        if request.user.role == Role.EMPLOYER_STAFF:
            employer = _one(Employer.objects.filter(staff=request.user), data.get("employer"), "employer")
            perm, organisation = DEPOSIT_FROM_EMPLOYER, employer
            employees = Resident.objects.filter(current, employments__employer=employer)
            source = services.system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer)
            pot_kind = PotKind.EMPLOYER
        elif request.user.role == Role.SECTOR_FUND_STAFF:
            fund = _one(SectorFund.objects.filter(staff=request.user), data.get("sector_fund"), "sector_fund")
            perm, organisation = DEPOSIT_FROM_SECTOR_FUND, fund
            employees = Resident.objects.filter(current, employments__employer__sector_fund=fund)
            source = services.system_account(SystemAccount.Kind.SECTOR_FUND, fund.name, sector_fund=fund)
            pot_kind = PotKind.SECTOR_FUND
        else:
            raise PermissionDenied(_("Only employers and sector funds can deposit here."))
        if not request.user.has_perm(perm, organisation):
            raise PermissionDenied
        resident = employees.filter(uuid=data["resident"]).distinct().first()
        if resident is None:
            raise NotFound(_("No current employee with this resident ID."))
        result = services.deposit(
            key=key,
            resident_id=resident.pk,
            source=source,
            pot_kind=pot_kind,
            lot=f"{today:%Y%m%d}-{key[-40:]}",
            amount_cents=data["amount_cents"],
            categories=data["categories"],
            expires_on=data.get("expires_on"),
            description=f"Storting {organisation.name}",
            actor=request.user,
        )
        return Response(DepositResponse(result).data, status=201)


class OwnDepositRequest(serializers.Serializer):
    amount_cents = serializers.IntegerField(min_value=1)


class OwnDepositResponse(serializers.Serializer):
    payment = serializers.UUIDField()
    checkout_url = serializers.CharField(help_text="Send the person here to pay.")
    amount_cents = serializers.IntegerField()


class OwnDepositView(APIView):
    """The resident adds own money. It is booked once the payment provider confirms the payment."""

    @extend_schema(request=OwnDepositRequest, responses=OwnDepositResponse, parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        key = idempotency_key(request)
        resident = own_resident(request)
        body = OwnDepositRequest(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.start_own_deposit(
            key=key, resident_id=resident.pk, amount_cents=body.validated_data["amount_cents"], provider=get_provider()
        )
        return Response(OwnDepositResponse(result).data, status=201)
