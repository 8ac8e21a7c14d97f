from django.urls import path

from tandem.tenancy import views

app_name = "tenancy"
urlpatterns = [path("", views.site_choose, name="choose")]
