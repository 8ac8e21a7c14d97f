from django.urls import path

from tandem.referrals import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.queue_page, name="queue"),
    path("referrals/new/<slug:door>/", views.new_page, name="new"),
    path("referrals/new/<slug:door>/preview/", views.preview_fragment, name="preview"),
    path("referrals/on-call/", views.on_call_page, name="on_call"),
    path("referrals/<uuid:public_id>/", views.detail_page, name="detail"),
    path("referrals/<uuid:public_id>/screen/", views.screen_page, name="screen"),
    path("referrals/<uuid:public_id>/decide/", views.decide_action, name="decide"),
    path(
        "referrals/<uuid:public_id>/handoff/<slug:step>/",
        views.handoff_action,
        name="handoff",
    ),
    path("referrals/<uuid:public_id>/move/<slug:name>/", views.move_action, name="move"),
    path("referrals/<uuid:public_id>/link/", views.link_action, name="link"),
    path(
        "referrals/<uuid:public_id>/candidates/",
        views.candidates_fragment,
        name="candidates",
    ),
    path("refer/<slug:slug>/", views.public_page, name="public"),
    path("refer/<slug:slug>/thanks/", views.public_thanks_page, name="public_thanks"),
]
