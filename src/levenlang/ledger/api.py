"""REST API of the Leerrekening (/api/v1/): where a person or an organisation acts on it. Every POST needs an
`Idempotency-Key` header; the same key with the same body returns the first answer, with another body 409."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from levenlang.core import api as core_api
from levenlang.core.api import IDEMPOTENCY_KEY, idempotency_key
from levenlang.core.api_fields import CentsField
from levenlang.core.categories import Category, categories_in
from levenlang.ledger import services
from levenlang.ledger.models import Pot
from levenlang.residents import services as residents
from levenlang.residents.services import Resident

CATEGORY_BY_NAME = {c.name.lower(): c for c in Category}
CATEGORY_NAMES = sorted(CATEGORY_BY_NAME)  # the enum in the OpenAPI schema (SPECTACULAR_SETTINGS)


def own_resident(request) -> Resident:
    return core_api.own_resident(request, residents.resident_of)


class CategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CATEGORY_NAMES, **kwargs)

    def to_internal_value(self, data):
        return CATEGORY_BY_NAME[super().to_internal_value(data)]


class PotSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")  # type: ignore[assignment]  # stubs: Field.source is a str
    categories = serializers.SerializerMethodField()
    posted_cents = CentsField()
    pending_cents = CentsField()
    available_cents = CentsField()

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
    available_cents = CentsField()
    reserved_cents = CentsField()


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
    price_cents = CentsField(min_value=1)


PreviewResponse = services.PreviewResponse


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
    amount_cents = CentsField(min_value=1)
    categories = serializers.ListField(child=CategoryField(), min_length=1)
    expires_on = serializers.DateField(required=False, allow_null=True)
    employer = serializers.UUIDField(required=False, help_text="Needed when you work for several employers.")
    sector_fund = serializers.UUIDField(required=False, help_text="Needed when you work for several funds.")


class DepositResponse(serializers.Serializer):
    journal = serializers.UUIDField()
    pot = serializers.UUIDField()
    amount_cents = CentsField()


class DepositView(APIView):
    """An employer or sector fund puts money in an employee's Leerrekening, with what it may pay for."""

    @extend_schema(request=DepositRequest, responses={201: DepositResponse}, parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        key = idempotency_key(request)
        body = DepositRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = services.deposit_for_employee(
            key=key,
            user=request.user,
            resident_uuid=data["resident"],
            amount_cents=data["amount_cents"],
            categories=data["categories"],
            expires_on=data.get("expires_on"),
            employer_uuid=data.get("employer"),
            sector_fund_uuid=data.get("sector_fund"),
        )
        return Response(DepositResponse(result).data, status=201)


class OwnDepositRequest(serializers.Serializer):
    amount_cents = CentsField(min_value=1)


class OwnDepositResponse(serializers.Serializer):
    payment = serializers.UUIDField()
    checkout_url = serializers.CharField(help_text="Send the person here to pay.")
    amount_cents = CentsField()


class OwnDepositView(APIView):
    """The resident adds own money. It is booked once the payment provider confirms the payment."""

    @extend_schema(request=OwnDepositRequest, responses={201: OwnDepositResponse}, parameters=[IDEMPOTENCY_KEY])
    def post(self, request):
        key = idempotency_key(request)
        resident = own_resident(request)
        body = OwnDepositRequest(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.start_own_deposit(
            key=key,
            resident_id=resident.pk,
            amount_cents=body.validated_data["amount_cents"],
            provider=services.payment_provider(),
        )
        return Response(OwnDepositResponse(result).data, status=201)
