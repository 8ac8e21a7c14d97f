from django.urls import path

from tandem.people import review_views, views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("new/", views.person_create_page, name="create"),
    path("new/candidates/", views.person_create_candidates, name="create_candidates"),
    path("duplicates/", review_views.duplicate_list_page, name="duplicates"),
    path("duplicates/scan/", review_views.duplicates_scan_action, name="duplicates_scan"),
    path("duplicates/<uuid:public_id>/", review_views.duplicate_compare_page, name="duplicate"),
    path(
        "duplicates/<uuid:public_id>/merge/", review_views.duplicate_merge, name="duplicate_merge"
    ),
    path(
        "duplicates/<uuid:public_id>/not-the-same/",
        review_views.duplicate_reject,
        name="duplicate_reject",
    ),
    path("merges/", review_views.merge_list_page, name="merges"),
    path("merges/<uuid:public_id>/unmerge/", review_views.person_unmerge_action, name="unmerge"),
    path("<uuid:public_id>/", views.person_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.person_edit, name="edit"),
    path("<uuid:public_id>/history/", views.person_history_page, name="history"),
    path("<uuid:public_id>/photo/", views.person_photo, name="photo"),
    path("<uuid:public_id>/photo/upload/", views.person_photo_upload, name="photo_upload"),
    path("<uuid:public_id>/photo/remove/", views.person_photo_clear_view, name="photo_clear"),
    path("<uuid:public_id>/names/add/", views.person_name_add_view, name="name_add"),
    path(
        "<uuid:public_id>/names/<uuid:name_id>/remove/",
        views.person_name_remove_view,
        name="name_remove",
    ),
    path(
        "<uuid:public_id>/identifiers/add/",
        views.person_identifier_add_view,
        name="identifier_add",
    ),
    path(
        "<uuid:public_id>/identifiers/<uuid:identifier_id>/remove/",
        views.person_identifier_remove_view,
        name="identifier_remove",
    ),
]
