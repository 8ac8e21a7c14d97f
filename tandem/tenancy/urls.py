from django.urls import path

from tandem.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("", views.site_choose, name="choose"),
    path("members/", views.members, name="members"),
    path(
        "members/<uuid:public_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "members/<uuid:public_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path("members/<uuid:public_id>/unlock/", views.member_unlock, name="member_unlock"),
    path(
        "members/<uuid:public_id>/password-link/",
        views.member_password_link,
        name="member_password_link",
    ),
]
