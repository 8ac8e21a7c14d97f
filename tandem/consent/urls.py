from django.urls import path

from tandem.consent import views

app_name = "consent"
urlpatterns = [
    path("people/<uuid:person_id>/consents/", views.consent_list_page, name="list"),
    path("people/<uuid:person_id>/consents/new/", views.consent_create_page, name="create"),
    path("consents/<uuid:public_id>/", views.consent_detail_page, name="detail"),
    path("consents/<uuid:public_id>/signature/", views.consent_signature, name="signature"),
    path("consents/<uuid:public_id>/revoke/", views.consent_revoke_action, name="revoke"),
    path("lookup/", views.lookup_page, name="lookup"),
    path("notices/", views.notice_list_page, name="notices"),
    path("notices/<uuid:public_id>/seen/", views.notice_seen_action, name="notice_seen"),
    path(
        "people/<uuid:person_id>/disclosures/",
        views.disclosure_accounting_page,
        name="disclosures",
    ),
]
