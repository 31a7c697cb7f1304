"""POST /api/v1/auth/token/: exchange username and password for an API token."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import body_object

from .throttle import authenticate_throttled


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.CharField()
    organization = serializers.SerializerMethodField()

    def get_organization(self, user) -> dict | None:
        org = user.organization
        return {"id": org.pk, "name": org.name} if org else None


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenInput, responses=inline_serializer(
        "TokenResponse", {"token": serializers.CharField(), "user": UserOutput()}))
    def post(self, request):
        serializer = TokenInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        # Wrong credentials: 400; too many failed sign-ins: 429 with Retry-After (accounts/throttle.py).
        user = authenticate_throttled(request, **serializer.validated_data)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserOutput(user).data})


class MeApi(APIView):
    @extend_schema(responses=UserOutput)
    def get(self, request):
        return Response(UserOutput(request.user).data)
