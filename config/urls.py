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
    path("access/", include("tandem.access.urls")),
    path("legal/", include("tandem.legal.urls")),
    path("policy/", include("tandem.policy.urls")),
    path("inbox/", include("tandem.notify.urls")),
    path("", include("tandem.referrals.urls")),
    path("casework/", include("tandem.casework.support.urls")),
    path("", include("tandem.casework.urls")),
    path("api/v1/", api.urls),
]

handler400 = "tandem.core.views.bad_request"
handler403 = "tandem.core.views.permission_denied"
handler404 = "tandem.core.views.page_not_found"
handler500 = "tandem.core.views.server_error"
