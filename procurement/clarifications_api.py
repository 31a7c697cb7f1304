"""/api/v1/rfqs/{id}/clarifications/ (api.md "Around the event"); rules in .clarifications."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.access import rfq_get
from common.api import body_object
from common.fields import StrictBooleanField, StrictCharField
from rfqs.models import Clarification

from .clarifications.selectors import clarification_view, clarifications_for
from .clarifications.services import clarification_answer, clarification_ask


class QuestionInput(serializers.Serializer):
    question = StrictCharField(max_length=Clarification.QUESTION_MAX)


class AnswerInput(serializers.Serializer):
    answer = StrictCharField(max_length=Clarification.ANSWER_MAX)
    publish = StrictBooleanField(default=False)


class AskerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClarificationOutput(serializers.Serializer):
    """`asked_by` is present for the buyer and compliance only; `mine` for suppliers only."""
    id = serializers.IntegerField()
    question = serializers.CharField()
    asked_at = serializers.DateTimeField()
    answer = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    mine = serializers.BooleanField(required=False)
    asked_by = AskerOutput(required=False)


def _out(item, user) -> dict:
    return ClarificationOutput(clarification_view(item, user=user)).data


class ClarificationsApi(APIView):
    @extend_schema(responses=ClarificationOutput(many=True))
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        return Response([_out(c, request.user) for c in clarifications_for(user=request.user, rfq=rfq)])

    @extend_schema(request=QuestionInput, responses={201: ClarificationOutput})
    def post(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        serializer = QuestionInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        item = clarification_ask(rfq=rfq, user=request.user, question=serializer.validated_data["question"])
        return Response(_out(item, request.user), status=status.HTTP_201_CREATED)


class ClarificationAnswerApi(APIView):
    @extend_schema(request=AnswerInput, responses=ClarificationOutput)
    def post(self, request, pk: int, cid: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        serializer = AnswerInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        item = clarification_answer(rfq=rfq, user=request.user, clarification_id=cid,
                                    answer=serializer.validated_data["answer"],
                                    publish=serializer.validated_data["publish"])
        return Response(_out(item, request.user))
