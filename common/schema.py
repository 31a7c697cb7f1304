"""OpenAPI: every operation also documents the error format of api.md for its 4xx answers."""
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ViolationSchema(serializers.Serializer):
    rule = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warn", "log"])
    message = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    metadata = serializers.DictField()


class ErrorDetailSchema(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    violations = ViolationSchema(many=True)


class ErrorSchema(serializers.Serializer):
    error = ErrorDetailSchema()


ERROR_STATUSES = {
    "400": "Malformed or invalid input",
    "401": "Not authenticated",
    "403": "Authenticated, but this role may not do this",
    "404": "Not found, or not visible to the caller",
}
WRITE_ERROR_STATUSES = {"409": "State conflict (e.g. invalid_transition)"}


class QuaysideAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = {**ERROR_STATUSES, **(WRITE_ERROR_STATUSES if self.method in ("POST", "PATCH", "PUT") else {})}
        for code, description in extra.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSchema, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
