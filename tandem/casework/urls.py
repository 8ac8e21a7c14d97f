from django.urls import path

from tandem.casework import views

app_name = "casework"
urlpatterns = [
    path("casework/people/<uuid:person_id>/", views.person_page, name="person"),
    path("casework/contacts/new/<uuid:enrollment_id>/", views.contact_new, name="contact_new"),
    path(
        "casework/contacts/<uuid:public_id>/correct/",
        views.contact_correct,
        name="contact_correct",
    ),
    path("casework/contacts/<uuid:public_id>/remove/", views.contact_remove, name="contact_remove"),
    path(
        "casework/enrollments/<uuid:enrollment_id>/reengage/",
        views.enrollment_reengage,
        name="reengage",
    ),
    path("casework/enrollments/<uuid:enrollment_id>/exit/", views.enrollment_exit, name="exit"),
    path(
        "casework/enrollments/<uuid:enrollment_id>/assign/",
        views.enrollment_assign,
        name="assign",
    ),
    path("casework/enrollments/<uuid:enrollment_id>/tasks/", views.task_add, name="task_add"),
    path("casework/tasks/<uuid:public_id>/done/", views.task_done, name="task_done"),
    path("casework/outreach/", views.outreach_page, name="outreach"),
    path("casework/caseloads/", views.caseloads_page, name="caseloads"),
    path("people/<uuid:person_id>/timeline/", views.timeline_page, name="timeline"),
]
