from django.urls import path

from tandem.access import views

app_name = "access"
urlpatterns = [path("matrix/", views.matrix_page, name="matrix")]
