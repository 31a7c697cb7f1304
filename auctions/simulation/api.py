"""/api/v1/rfqs/{id}/simulations/: parse → one service → serialise (api.md "What-if simulation")."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import body_object
from common.pagination import PAGE_PARAMETERS, list_response, list_schema

from .selectors import rfq_for_simulation, simulation_get, simulation_list
from .serializers import SimulationInput, SimulationOutput
from .services import simulation_create


class SimulationListCreateApi(APIView):
    @extend_schema(operation_id="rfqs_simulations_list", responses=list_schema(SimulationOutput, "Simulation"),
                   parameters=PAGE_PARAMETERS)
    def get(self, request, pk: int):
        rfq = rfq_for_simulation(user=request.user, pk=pk)
        return list_response(request, simulation_list(rfq=rfq), SimulationOutput)

    @extend_schema(request=SimulationInput, responses={201: SimulationOutput}, description=(
        "Monte Carlo with phantom bidders, for the RFQ as configured (its award mode, lines and reserve). "
        "Small simulations (about 2000 whole-award runs of work; a split or bundle run weighs more, by "
        "bidders and lines) answer with their results; larger ones answer `status: running` with "
        "`progress` 0–1 and empty `results`, and a task computes them: poll GET "
        "…/simulations/{simulation_id}/. One too large to compute (about ten minutes of work) is a 400 "
        "naming how many runs would fit."))
    def post(self, request, pk: int):
        rfq = rfq_for_simulation(user=request.user, pk=pk)
        serializer = SimulationInput(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        simulation = simulation_create(rfq=rfq, user=request.user, **serializer.validated_data)
        return Response(SimulationOutput(simulation).data, status=status.HTTP_201_CREATED)


class SimulationDetailApi(APIView):
    @extend_schema(responses=SimulationOutput)
    def get(self, request, pk: int, simulation_id: int):
        rfq = rfq_for_simulation(user=request.user, pk=pk)
        return Response(SimulationOutput(simulation_get(rfq=rfq, pk=simulation_id)).data)
