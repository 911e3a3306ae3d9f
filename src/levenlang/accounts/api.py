from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    resident = serializers.UUIDField(allow_null=True, help_text="The user's own resident record, if any.")


class MeView(APIView):
    """Who is logged in, with which role."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        resident = getattr(request.user, "resident", None)
        data = {
            "uuid": request.user.uuid,
            "username": request.user.username,
            "display_name": request.user.display_name,
            "role": request.user.role,
            "resident": resident.uuid if resident else None,
        }
        return Response(MeSerializer(data).data)
