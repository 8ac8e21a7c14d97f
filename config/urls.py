from django.urls import include, path

from tandem.api.urls import api

urlpatterns = [
    path("", include("tandem.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("sites/", include("tandem.tenancy.urls")),
    path("tokens/", include("tandem.accounts.urls")),
    path("people/", include("tandem.people.urls")),
    path("", include("tandem.consent.urls")),
    path("audit/", include("tandem.audit.urls")),
    path("api/v1/", api.urls),
]

handler400 = "tandem.core.views.bad_request"
handler403 = "tandem.core.views.permission_denied"
handler404 = "tandem.core.views.page_not_found"
handler500 = "tandem.core.views.server_error"
