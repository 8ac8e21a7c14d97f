from django.urls import path

from tandem.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("read-all/", views.read_all_action, name="read_all"),
    path("<uuid:public_id>/read/", views.read_action, name="read"),
]
