from django.urls import path

from .views import invitations, profile

urlpatterns = [
    path("invitations/", invitations.invitation_list, name="supplier-invitations"),
    path("invitations/<int:pk>/", invitations.invitation_detail, name="supplier-invitation"),
    path("profile/", profile.profile, name="supplier-profile"),
]
