"""The interface every auction mechanism implements, and the registry of mechanisms."""
from __future__ import annotations

from typing import ClassVar

from rest_framework import serializers


class Mechanism:
    """One auction type. Subclasses declare their settings as a DRF serializer."""

    type: ClassVar[str]
    label: ClassVar[str]
    settings_serializer: ClassVar[type[serializers.Serializer]]

    def validate_settings(self, raw: object) -> dict:
        """Complete `raw` with the defaults and validate; return JSON-ready settings.

        Raises serializers.ValidationError with per-field messages.
        """
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise serializers.ValidationError({"settings": ["Settings must be a JSON object."]})
        unknown = sorted(set(raw) - set(self.settings_serializer().fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [f"Unknown setting for {self.label}."] for name in unknown})
        serializer = self.settings_serializer(data=raw)
        serializer.is_valid(raise_exception=True)
        # Round-trip through the output side so decimals are stored as strings.
        return dict(self.settings_serializer(serializer.validated_data).data)

    def default_settings(self) -> dict:
        return self.validate_settings({})


REGISTRY: dict[str, Mechanism] = {}


def register(mechanism_class: type[Mechanism]) -> type[Mechanism]:
    REGISTRY[mechanism_class.type] = mechanism_class()
    return mechanism_class
