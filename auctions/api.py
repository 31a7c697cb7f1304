"""Bid endpoints (api.md "Bids"): parse → one service → render what the caller may see."""
from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.access import bidding_statement_for_token, rfq_for_bidding, rfq_get
from common.api import body_object
from common.errors import ApplicationError, Forbidden, ValidationFailed
from common.money import format_money
from common.renderers import CSVRenderer, DownloadFormatsMixin, EventStreamRenderer, XLSXRenderer, export_format
from common.request_meta import request_meta
from common.schema import ID_MAX, SEQ_SCHEMA, ViolationSchema, api_errors

from . import live, selectors
from .bidders import Recheck
from .exports.downloads import bids_download, comparison_download, download_responses, format_parameter
from .idempotency import idempotent
from .mechanisms import collects_sealed, get_mechanism
from .serializers import BidOutput, BundleQuoteInput, QuoteInput, ReverseBidInput
from .services import bid_place, bid_withdraw
from .signing import keep_raw_body, signature_check
from .streams import event_stream

DATETIME = serializers.DateTimeField()  # one instance: building DRF fields per response shows in the bid path


def placed_body(placed, user) -> dict:
    bid, rfq = placed.bid, placed.rfq
    body = {"id": bid.pk, "rfq": rfq.pk, "status": bid.status, "version": bid.version,
            "submitted_at": DATETIME.to_representation(bid.submitted_at),
            "amount": format_money(bid.amount if bid.amount is not None else selectors.own_quote(bid)["total"], rfq.currency),
            "warnings": [v.as_dict() for v in placed.warnings if not v.blocks],
            "bidding_deadline": DATETIME.to_representation(rfq.bidding_deadline),
            "extensions": rfq.extensions}
    if not collects_sealed(rfq):
        # From the locked row as this bid left it, no further query: an accepted reverse bid
        # beats the best standing bid, so it leads. The settings decide what is disclosed.
        settings = rfq.auction_settings
        if settings.get("show_ranking", True):
            body["rank"] = 1  # on its line, for a lot
        if bid.line_item_id is not None:  # lots: the bid leads its line
            body["line_item_id"] = bid.line_item_id
            line = {"line_item_id": bid.line_item_id}
            if settings.get("show_leading_bid", True):
                line["leading_bid"] = format_money(bid.amount, rfq.currency)
            body["lines"] = [line]
        elif settings.get("show_leading_bid", True):
            body["leading_bid"] = format_money(rfq.best_amount, rfq.currency)
        if settings.get("show_bid_count", True):
            body["bid_count"] = rfq.bid_count
    return body


BID_SCHEMA = inline_serializer("BidPlaced", {
    "id": serializers.IntegerField(), "rfq": serializers.IntegerField(), "status": serializers.CharField(),
    "amount": serializers.CharField(allow_null=True), "submitted_at": serializers.DateTimeField(),
    "version": serializers.IntegerField(), "warnings": ViolationSchema(many=True),
    "bidding_deadline": serializers.DateTimeField(), "extensions": serializers.IntegerField(),
    "line_item_id": serializers.IntegerField(required=False, help_text="Lots: the line this bid prices"),
    "lines": serializers.ListField(child=serializers.DictField(), required=False,
                                   help_text="Lots: the bid's line, with its leading bid as disclosed"),
    "rank": serializers.IntegerField(required=False), "leading_bid": serializers.CharField(required=False, allow_null=True),
    "bid_count": serializers.IntegerField(required=False),
})

# api.md: the buyer of a sealed or multi-attribute RFQ learns before the close only how many
# suppliers quoted; everyone else (and the buyer after the close) gets the bids.
SEALED_BIDS_SCHEMA = inline_serializer("SealedBids", {
    "sealed": serializers.BooleanField(help_text="Always true: the amounts stay sealed until the close."),
    "count_submitted": serializers.IntegerField(min_value=0)})
BID_LIST_SCHEMA = PolymorphicProxySerializer(
    component_name="BidList", serializers=[BidOutput(many=True), SEALED_BIDS_SCHEMA], resource_type_field_name=None,
    many=False)


def bid_response(request, rfq, recheck: Recheck | None = None) -> Response:
    """A supplier's bid on `rfq`, answered (201) or refused; the view's and the lean route's
    (auctions/bid_route.py) one way to place it. `request`: its user, data, headers and body.
    `recheck`: the user and `rfq` are remembered rows (auctions.bidders), confirmed under the lock."""
    mechanism = get_mechanism(rfq.auction_type)
    keep_raw_body(request)

    def handle(claim):
        # Inside the idempotent call: a retried signed request gets its first response back,
        # not a refusal of its nonce as replayed.
        signature = signature_check(request, supplier_id=request.user.supplier_id, now=timezone.now())
        draft = mechanism.parse_bid(body_object(request))

        def answer(placed) -> Response:
            return Response(placed_body(placed, request.user), status=status.HTTP_201_CREATED)

        placed = bid_place(rfq=rfq, user=request.user, draft=draft, meta=request_meta(request), signature=signature,
                           commit_with=claim.answer_with(answer, sealed=lambda placed: bool(placed.bid.sealed_payload)),
                           recheck=recheck)
        claim.stored = f"bid {placed.bid.pk}"
        return claim.answer or answer(placed)  # with a key, the answer committed with the bid

    return idempotent(request, rfq.pk, handle, confidential=collects_sealed(rfq))


class BidsApi(DownloadFormatsMixin, APIView):
    download_renderers = (CSVRenderer,)

    def read_with_token(self, request, key: str) -> list:
        """A bid authenticated by token reads its RFQ in the token's round trip (accounts.auth)."""
        return bidding_statement_for_token(pk=self.kwargs.get("pk"), token_key=key) if request.method == "POST" else []

    @extend_schema(responses=download_responses(BID_LIST_SCHEMA, xlsx=False), parameters=[format_parameter(
        "json", "csv", description="csv: every bid and version (buyer, compliance); before a sealed RFQ "
                                   "opens, the count of quotes and no amount, as in JSON")])
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk)
        kind = export_format(request)
        bids = selectors.bids_for(user=request.user, rfq=rfq)
        if bids is None:
            # Sealed and unopened: the buyer learns only how many suppliers quoted.
            sealed = {"sealed": True, "count_submitted": rfq.bid_count}
            return bids_download(rfq, sealed) if kind == "csv" else Response(sealed)
        data = BidOutput(bids, many=True).data
        if request.user.is_supplier:
            for row, bid in zip(data, bids, strict=True):
                if bid.is_sealed:
                    row["amount"] = format_money(selectors.own_quote(bid)["total"], rfq.currency)
        return bids_download(rfq, data) if kind == "csv" else Response(data)

    @extend_schema(request=PolymorphicProxySerializer(
        component_name="BidInput", serializers=[ReverseBidInput, QuoteInput, BundleQuoteInput], resource_type_field_name=None),
        responses={201: BID_SCHEMA}, parameters=[
        OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)])
    @api_errors(422, 429)
    def post(self, request, pk: int):
        if not request.user.is_supplier:
            rfq_get(user=request.user, pk=pk, with_line_items=False)  # 404 to whoever may not see it
            raise Forbidden("Only invited suppliers bid.")
        rfq = rfq_for_bidding(user=request.user, pk=pk, prefetched=getattr(request, "read_with_token_rows", [None])[0])
        return bid_response(request, rfq)


class BidWithdrawApi(APIView):
    @extend_schema(request=None, responses=BidOutput)
    @api_errors(422)
    def post(self, request, pk: int, bid_id: int):
        rfq = rfq_get(user=request.user, pk=pk)
        signature = (signature_check(request, supplier_id=request.user.supplier_id, now=timezone.now())
                     if request.user.is_supplier else None)
        placed = bid_withdraw(rfq=rfq, user=request.user, bid_id=bid_id, meta=request_meta(request),
                              signature=signature)
        return Response(BidOutput(placed.bid).data)


STATE_SCHEMA = inline_serializer("AuctionState", {
    "status": serializers.CharField(), "bidding_deadline": serializers.DateTimeField(),
    "original_deadline": serializers.DateTimeField(), "extensions": serializers.IntegerField(),
    "seq": serializers.IntegerField(min_value=0), "server_time": serializers.DateTimeField(),
    "paused_at": serializers.DateTimeField(allow_null=True, help_text="While paused, when the pause began: the "
                                           "deadline then stands still until the resume moves it."),
    "currency": serializers.CharField(), "auction_type": serializers.CharField(),
    "amendments": serializers.IntegerField(min_value=0, help_text="Amendments published so far"),
    "amendments_to_acknowledge": serializers.ListField(
        child=serializers.IntegerField(), required=False,
        help_text="Suppliers: the numbers of the amendments they must acknowledge before bidding"),
    "max_extensions": serializers.IntegerField(required=False, allow_null=True),
    "mode": serializers.ChoiceField(choices=["live", "sealed"], required=False),
    "bid_count": serializers.IntegerField(required=False),
    "leading_bid": serializers.CharField(required=False, allow_null=True),
    "your_best": serializers.CharField(required=False, allow_null=True),
    "your_rank": serializers.IntegerField(required=False, allow_null=True),
    "minimum_next_bid": serializers.CharField(required=False, allow_null=True),
    "lines": serializers.ListField(child=serializers.DictField(), required=False)})

# The objects the WebSocket sends (api.md "WebSocket"); each type adds its own fields.
LIVE_EVENTS_SCHEMA = inline_serializer("LiveEvent", many=True, fields={
    "type": serializers.CharField(), "seq": serializers.IntegerField(min_value=1),
    "prev_seq": serializers.IntegerField(allow_null=True, required=False),
    "rfq": serializers.IntegerField(), "at": serializers.DateTimeField()})


class AuctionStateApi(APIView):
    @extend_schema(responses=STATE_SCHEMA)
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk)
        state = selectors.auction_state(user=request.user, rfq=rfq)
        return Response({key: serializers.DateTimeField().to_representation(value) if hasattr(value, "tzinfo")
                         else value for key, value in state.items()})


def since_query(request) -> int | None:
    """`?since=` once: a repeated parameter is a 400 too (which one would count?)."""
    values = request.query_params.getlist("since")
    if len(values) > 1:
        raise ValidationFailed("Give since once.", fields={"since": ["Give one value."]})
    return since_param(values[0] if values else None)


def since_param(raw, name: str = "since") -> int | None:
    """A seq from the query string or Last-Event-ID: an integer ≥ 0, else 400 (an empty value
    too, as an empty filter is: the schema says integer). None when it is not given."""
    if raw is None:
        return None
    # Digits 0-9 only: int() would also take " 5", "+5", "1_0" and "٥".
    value = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1
    if not 0 <= value <= ID_MAX:
        raise ValidationFailed(f"{name} must be a seq: an integer ≥ 0.", fields={name: ["An integer ≥ 0."]})
    return value


class Misdirected(ApplicationError):
    status_code = 421
    code = "misdirected_request"


class EventsApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("since", SEQ_SCHEMA, description=(
        "The last seq received; the live events after it, oldest first, at most "
        f"{live.REPLAY_LIMIT} per call (ask again from the last one)."))],
        responses=LIVE_EVENTS_SCHEMA)
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        since = since_query(request) or 0
        return Response(live.replay(user=request.user, rfq=rfq, since=since))


class EventStreamApi(DownloadFormatsMixin, APIView):
    download_renderers = (EventStreamRenderer,)  # EventSource asks for text/event-stream alone

    @extend_schema(parameters=[
        OpenApiParameter("since", SEQ_SCHEMA, description="Replay the live events after this seq first."),
        OpenApiParameter("Last-Event-ID", SEQ_SCHEMA, OpenApiParameter.HEADER, required=False,
                         description="Set by EventSource on reconnect: replay after it.")],
        responses={(200, "text/event-stream"): OpenApiResponse(
            response={"type": "string", "description": "Server-Sent Events: one `data:` line per live event "
                                                       "(a LiveEvent as JSON) with its seq as the `id:`."},
            description="An open stream of Server-Sent Events")})
    @api_errors(421)
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        # Input is judged wherever the stream is served: a bad seq is a 400 even before the 421.
        since = since_param(request.headers.get("Last-Event-ID"), "Last-Event-ID")
        query_since = since_query(request)
        if since is None:
            since = query_since
        if not isinstance(request._request, ASGIRequest):
            # A WSGI worker would be held for as long as the stream lasts: in production this
            # path is routed to the ASGI server with /ws/ (README "Production").
            raise Misdirected("The event stream is served by the ASGI server; use the WebSocket, or poll "
                              f"/api/v1/rfqs/{rfq.pk}/events/?since=<seq>.")
        response = StreamingHttpResponse(event_stream(user=request.user, rfq_id=rfq.pk, since=since),
                                         content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
        return response


SUPPLIER_REF = inline_serializer("SupplierRef", {"id": serializers.IntegerField(), "name": serializers.CharField()})
EVALUATION_SCHEMA = inline_serializer("Evaluation", {
    "method": serializers.CharField(),
    "rankings": inline_serializer("Ranking", {
        "rank": serializers.IntegerField(), "bid_id": serializers.IntegerField(), "supplier": SUPPLIER_REF,
        "total": serializers.CharField(), "score": serializers.FloatField(),
        "breakdown": serializers.DictField()}, many=True),
    "recommended_bid_id": serializers.IntegerField(allow_null=True),
    "recommended_bid_ids": serializers.ListField(child=serializers.IntegerField()),
    "reserve": serializers.DictField(), "tie_break": serializers.DictField(), "pricing": serializers.DictField(),
    "outcome": serializers.ChoiceField(choices=["AWARD", "SPLIT_AWARD", "MANUAL_SELECTION", "NO_AWARD"]),
    "tie_groups": serializers.ListField(child=serializers.DictField()),
    # Split and bundle awards only (api.md "Split and bundle awards").
    "allocation": inline_serializer("AllocationRow", {
        "supplier": SUPPLIER_REF, "bid_id": serializers.IntegerField(), "line_item_id": serializers.IntegerField(),
        "quantity": serializers.FloatField(help_text="Whole units for a split line; a bundle covers its line's "
                                                     "whole quantity."),
        "unit_price": serializers.CharField(allow_null=True, help_text="Null on a bundle's lines"),
        "amount": serializers.CharField(allow_null=True, help_text="Null on a bundle's lines"),
        "bundle": serializers.IntegerField(allow_null=True, help_text="The winning bundle's index in its quote")},
        many=True, required=False),
    "total_cost": serializers.CharField(allow_null=True, required=False),
    "payments": inline_serializer("AllocationPayment", {
        "supplier": SUPPLIER_REF, "bid_id": serializers.IntegerField(), "pay_as_bid": serializers.CharField(),
        "payment": serializers.CharField(), "surplus": serializers.CharField()}, many=True, required=False),
    "best_single_supplier": inline_serializer("BestSingleSupplier", {
        "supplier": SUPPLIER_REF, "total": serializers.CharField()}, required=False, allow_null=True),
    "saving": serializers.CharField(allow_null=True, required=False),
    "allocation_problem": serializers.CharField(allow_null=True, required=False, help_text=(
        "Why there is no allocation to award (the RFQ then evaluates to no_award), else null.")),
    "awarded_bid_id": serializers.IntegerField(allow_null=True),
    "award_override": serializers.BooleanField(), "status": serializers.CharField()})


class EvaluationApi(DownloadFormatsMixin, APIView):
    download_renderers = (XLSXRenderer, CSVRenderer)

    @extend_schema(responses=download_responses(EVALUATION_SCHEMA, xlsx=True), parameters=[format_parameter(
        "json", "xlsx", "csv", description="xlsx or csv: the side-by-side comparison (one row per line item, a "
                                           "column group per supplier, totals, score, rank, the allocation)")])
    @api_errors(409)
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk)
        kind = export_format(request)
        evaluation = selectors.evaluation_for(user=request.user, rfq=rfq)
        if kind != "json":
            return comparison_download(rfq, evaluation, kind)
        return Response({**evaluation.as_dict(), "awarded_bid_id": rfq.awarded_bid_id,
                         "award_override": rfq.award_override, "status": rfq.status})


OUTCOME_SCHEMA = inline_serializer("Outcome", {
    "status": serializers.ChoiceField(choices=["awarded", "not_selected", "no_award"]),
    "lines": inline_serializer("OutcomeLine", {
        "line_item_id": serializers.IntegerField(), "description": serializers.CharField(),
        "quantity": serializers.FloatField(), "unit": serializers.CharField(),
        "unit_price": serializers.CharField(allow_null=True), "amount": serializers.CharField(allow_null=True),
        "bundle": serializers.IntegerField(allow_null=True)}, many=True),
    "total": serializers.CharField(allow_null=True, help_text="What the supplier's awarded lines cost as quoted"),
    "payment": serializers.CharField(required=False, help_text="What it is paid (pricing rule applied)"),
    "pricing": serializers.CharField(required=False),
    "reason": serializers.CharField(required=False, allow_blank=True, help_text="Why there was no award"),
    "ranking": inline_serializer("OutcomeRanking", {
        "rank": serializers.IntegerField(min_value=1), "total": serializers.CharField(),
        "yours": serializers.BooleanField(help_text="Your own quote; the others are anonymous")}, many=True,
        required=False, help_text="A sealed bid that reveals bids to suppliers (reveal_bids_to_suppliers): every "
                                  "ranked quote's total, anonymised, after award"),
})


class OutcomeApi(APIView):
    """GET /rfqs/{id}/outcome/ — an invited supplier's own outcome, after award or no award."""

    @extend_schema(responses=OUTCOME_SCHEMA)
    @api_errors(409)
    def get(self, request, pk: int):
        rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
        return Response(selectors.outcome_for(user=request.user, rfq=rfq))
