"""The supplier's bid-signing keys and signing policy (api.md "Signed bids")."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import body_object

from .api import own_supplier
from .serializers import SigningKeyInput, SigningKeyOutput
from .signing_keys import signing_key_register, signing_key_revoke, signing_keys_for


class SigningKeysApi(APIView):
    @extend_schema(operation_id="supplier_signing_keys_list", responses=SigningKeyOutput(many=True))
    def get(self, request):
        return Response(SigningKeyOutput(signing_keys_for(own_supplier(request.user)), many=True).data)

    @extend_schema(request=SigningKeyInput, responses={201: SigningKeyOutput})
    def post(self, request):
        supplier = own_supplier(request.user)
        data = SigningKeyInput(data=body_object(request))
        data.is_valid(raise_exception=True)
        key = signing_key_register(supplier=supplier, user=request.user, **data.validated_data)
        return Response(SigningKeyOutput(key).data, status=status.HTTP_201_CREATED)


class SigningKeyApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        signing_key_revoke(supplier=own_supplier(request.user), user=request.user, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

