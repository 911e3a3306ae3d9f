"""REST API of the schemes app (/api/v1/): the navigator for the resident (or, with permission, for a resident), and the
public register of schemes. Texts come in the language the request asks for (Accept-Language: nl or en; Dutch by
default): the API has no /en/ prefix, so the rule for pages (Dutch unless the path says /en/) does not apply."""

from django.utils import timezone
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levenlang.core.api import IntegerField, get_permitted_object
from levenlang.core.api_fields import CentsField
from levenlang.core.parsing import ParseError, parse_int
from levenlang.core.permissions import VIEW_RESIDENT
from levenlang.residents import services as residents
from levenlang.residents.services import Resident
from levenlang.schemes import services
from levenlang_rules import register

YEAR = OpenApiParameter("year", int, description="The year (default: this year).")


class ReasonSerializer(serializers.Serializer):
    held = serializers.BooleanField()
    text = serializers.CharField()


class PartSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount_cents = CentsField()


class SchemeResultSerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text="The scheme's key in the register.")
    name = serializers.CharField()
    applies_to = serializers.ChoiceField(choices=["person", "employer"])
    eligible = serializers.BooleanField()
    amount_cents = CentsField(allow_null=True)
    reasons = ReasonSerializer(many=True, help_text="The conditions that held and those that failed.")
    parts = PartSerializer(many=True)


class NavigatorSerializer(serializers.Serializer):
    year = IntegerField()
    schemes = SchemeResultSerializer(many=True)


def _year(request) -> int | None:
    raw = request.query_params.get("year")
    if raw is None:
        return None
    try:
        return parse_int(raw, minimum=2026, maximum=2100, field="year")
    except ParseError:
        raise ValidationError({"year": _("Give a year from 2026 on, for example 2027.")}) from None


def _navigator_response(request, resident) -> Response:
    year = _year(request) or timezone.localdate().year
    results = services.navigate(resident, year=year, viewer=request.user, request=request)
    language = get_language_from_request(request)
    return Response(
        {
            "year": year,
            "schemes": [
                {
                    "scheme": r.scheme.key,
                    "name": r.scheme.name(language),
                    "applies_to": r.scheme.applies_to,
                    "eligible": r.eligible,
                    "amount_cents": r.amount_cents,
                    "reasons": [{"held": c.held, "text": c.text(language)} for c in r.reasons],
                    "parts": [{"label": p.label(language), "amount_cents": cents} for p, cents in r.parts],
                }
                for r in results
            ],
        }
    )


class MyNavigatorView(APIView):
    """Every scheme for the logged-in resident: eligible or not, the amount, and why."""

    @extend_schema(parameters=[YEAR], responses=NavigatorSerializer)
    def get(self, request):
        resident = residents.resident_of(request.user)
        if resident is None:
            raise PermissionDenied(_("Only a resident has schemes of their own."))
        return _navigator_response(request, resident)


class ResidentNavigatorView(APIView):
    """Every scheme for one resident, for those allowed to see that resident (audit-logged)."""

    @extend_schema(parameters=[YEAR], responses=NavigatorSerializer)
    def get(self, request, uuid):
        resident = get_permitted_object(request, Resident.objects.all(), VIEW_RESIDENT, uuid=uuid)
        return _navigator_response(request, resident)


class SchemeSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    owner = serializers.CharField()
    kind = serializers.CharField()
    applies_to = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    budget_eur = IntegerField(allow_null=True)
    budget_note = serializers.CharField()
    how_to_apply = serializers.CharField()
    reference_title = serializers.CharField()
    reference_href = serializers.CharField()
    plausible = serializers.BooleanField(help_text="Some figures are estimates or policy choices, not law.")


class SchemeRegisterView(APIView):
    """The public register of schemes."""

    permission_classes = [AllowAny]

    @extend_schema(responses=SchemeSerializer(many=True))
    def get(self, request):
        language = get_language_from_request(request)
        return Response([s.described(language) for s in register.schemes()])


class DepositEffectQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["employer", "own"], help_text="Who deposits: an employer, or the person.")
    amount_cents = CentsField(min_value=1, max_value=100_000_000)
    yearly_wage_cents = CentsField(min_value=0, max_value=1_000_000_000)
    free_space_cents = CentsField(
        min_value=0, max_value=10_000_000_000, default=0, help_text="Employer only: WKR free space left."
    )
    year = IntegerField(min_value=2026, max_value=2100, required=False)


class DepositEffectSerializer(serializers.Serializer):
    kind = serializers.CharField()
    year = IntegerField()
    gross_cents = CentsField()
    rate_percent = serializers.FloatField(help_text="Marginal rate (employer) or deduction rate (own), in percent.")
    exempt_cents = CentsField(required=False)
    in_free_space_cents = CentsField(required=False)
    final_levy_base_cents = CentsField(required=False)
    employer_tax_cents = CentsField(required=False)
    employer_net_cost_cents = CentsField(required=False)
    employee_net_benefit_cents = CentsField(required=False)
    employee_tax_saved_vs_wage_cents = CentsField(required=False)
    deduction_cents = CentsField(required=False)
    tax_refund_cents = CentsField(required=False)
    net_cost_cents = CentsField(required=False)


class DepositEffectView(APIView):
    """Gross, tax effect and net cost of a deposit into a learning account (public: no personal data)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[DepositEffectQuery], responses=DepositEffectSerializer)
    def get(self, request):
        query = DepositEffectQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(services.deposit_effect(**query.validated_data))
