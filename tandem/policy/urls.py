from django.urls import path

from tandem.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create, name="create"),
    path("<uuid:public_id>/", views.policy_detail, name="detail"),
    path("<uuid:public_id>/document/", views.policy_document, name="document"),
]
