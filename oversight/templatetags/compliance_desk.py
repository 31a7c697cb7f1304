"""{% compliance_desk as lines %}: the compliance desk's lines for the signed-in user."""
from django import template
from django.template.context import Context

from oversight.desk import DeskLine, compliance_desk

register = template.Library()


@register.simple_tag(takes_context=True, name="compliance_desk")
def compliance_desk_tag(context: Context) -> list[DeskLine]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return compliance_desk(user) if user is not None and user.is_authenticated else []
