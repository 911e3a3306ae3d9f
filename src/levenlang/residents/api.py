from rest_framework import generics, serializers

from levenlang.core.api import get_permitted_object
from levenlang.core.audit import record_view
from levenlang.core.permissions import VIEW_RESIDENT
from levenlang.residents.models import Resident


class ResidentSerializer(serializers.ModelSerializer):
    masked_bsn = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Resident
        fields = ["uuid", "given_name", "family_name", "birth_date", "masked_bsn", "nlqf_level", "situation", "region"]


class ResidentDetail(generics.RetrieveAPIView):
    """One resident's personal data: the resident themself, or an administrator (audit-logged)."""

    serializer_class = ResidentSerializer

    def get_object(self):
        resident = get_permitted_object(
            self.request, Resident.objects.select_related("region"), VIEW_RESIDENT, uuid=self.kwargs["uuid"]
        )
        record_view(self.request.user, resident, reason="API: resident details", request=self.request)
        return resident
