"""Small helpers shared by the API views."""
from rest_framework import serializers


def body_object(request) -> dict:
    """The request body as a dict; an array or scalar body is a 400, not an empty body."""
    data = request.data
    if not hasattr(data, "keys"):
        raise serializers.ValidationError("The body must be a JSON object.")
    return data
