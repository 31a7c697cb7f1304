"""The compliance officers' group and what it may do in the admin."""
from django.contrib.auth.models import Group, Permission

COMPLIANCE_GROUP = "Compliance officers"
# Compliance reads everything of ours, and changes only what its work needs: KYC decisions
# (on supplier companies), reviews of sampled auctions (the compliance review queue) and
# certifications of fairness audits. It also sees failed sign-ins and lifts lockouts, which
# deletes the failures that caused them (django-axes; audited, accounts/admin.py).
# The audit trail itself is read-only for everybody.
READ_APPS = ["accounts", "suppliers", "procurement", "auctions", "audit"]
CHANGE = [("suppliers", "change_suppliercompany"), ("suppliers", "change_kycreviewqueue"),
          ("audit", "change_compliancereviewitem"), ("audit", "add_certification"),
          ("axes", "view_accessattempt"), ("axes", "delete_accessattempt")]


def ensure_compliance_group() -> Group:
    group, _ = Group.objects.get_or_create(name=COMPLIANCE_GROUP)
    perms = list(Permission.objects.filter(content_type__app_label__in=READ_APPS, codename__startswith="view_"))
    perms += [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in CHANGE]
    group.permissions.set(perms)
    return group
