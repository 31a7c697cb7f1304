from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


class TimeStampedModel(models.Model):
    """Creation and last-change times, for every mutable domain row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ConcurrentTransitions(ConcurrentTransitionMixin):
    """django-fsm's optimistic lock on state transitions, with the model's state fields found
    once per class. The library filters every field of the model each time an instance is
    built; an RFQ row has some forty, and the bid hot path builds RFQs on every bid."""

    @property
    def state_fields(self) -> tuple[FSMFieldMixin, ...]:
        model = type(self)
        fields = model.__dict__.get("_fsm_state_fields")
        if fields is None:
            fields = tuple(field for field in self._meta.fields if isinstance(field, FSMFieldMixin))
            model._fsm_state_fields = fields  # on this class itself, never a parent's
        return fields
