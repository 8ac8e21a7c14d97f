from django.urls import path

from tandem.people import views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("<uuid:public_id>/", views.person_detail, name="detail"),
]
