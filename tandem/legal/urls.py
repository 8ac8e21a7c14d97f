from django.urls import path

from tandem.legal import views

app_name = "legal"
urlpatterns = [
    path("holds/", views.hold_list_page, name="holds"),
    path("holds/<uuid:public_id>/", views.hold_detail_page, name="hold"),
    path("holds/<uuid:public_id>/dispose/", views.hold_dispose_action, name="hold_dispose"),
    path("participants/", views.participant_list_page, name="participants"),
    path("participants/<uuid:public_id>/", views.participant_detail_page, name="participant"),
    path("people/<uuid:person_id>/status/new/", views.status_create_page, name="status_create"),
    path("people/<uuid:person_id>/letters/new/", views.letter_create_page, name="letter_create"),
    path("letters/<uuid:public_id>/", views.letter_detail_page, name="letter"),
]
