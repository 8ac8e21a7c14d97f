from django.urls import path

from tandem.casework.support import views

app_name = "casework_support"
urlpatterns = [
    # The intake, from an approved referral.
    path("intake/<uuid:referral_id>/", views.intake_page, name="intake"),
    path("intake/<uuid:referral_id>/start/", views.intake_start_action, name="intake_start"),
    path(
        "intake/<uuid:referral_id>/domain/<slug:domain>/",
        views.intake_domain_page,
        name="intake_domain",
    ),
    path("intake/<uuid:referral_id>/release/", views.intake_release_page, name="intake_release"),
    path(
        "intake/<uuid:referral_id>/release/declined/",
        views.intake_declined_action,
        name="intake_declined",
    ),
    path("intake/<uuid:referral_id>/baseline/", views.intake_baseline_page, name="intake_baseline"),
    path(
        "intake/<uuid:referral_id>/complete/",
        views.intake_complete_action,
        name="intake_complete",
    ),
    path("assessments/<uuid:public_id>/", views.assessment_detail_page, name="assessment"),
    # The plan.
    path("people/<uuid:person_id>/plan/", views.plan_page, name="plan"),
    path("goals/<uuid:public_id>/", views.goal_change_action, name="goal_change"),
    path("goals/<uuid:public_id>/steps/", views.step_add_action, name="step_add"),
    path("goals/<uuid:public_id>/notes/", views.note_add_action, name="note_add"),
    path("steps/<uuid:public_id>/done/", views.step_done_action, name="step_done"),
    # Services.
    path("people/<uuid:person_id>/services/", views.services_page, name="services"),
    path("service-links/<uuid:public_id>/", views.link_update_action, name="link_update"),
    path("providers/", views.providers_page, name="providers"),
    # Flexible funds.
    path("people/<uuid:person_id>/expenses/", views.expenses_page, name="expenses"),
    path("expenses/<uuid:public_id>/receipt/", views.receipt_view, name="receipt"),
    path("expenses/<uuid:public_id>/decide/", views.expense_decide_action, name="expense_decide"),
    path("funds/", views.funds_page, name="funds"),
    path("funds/approvals/", views.approvals_page, name="approvals"),
    # Outcome snapshots.
    path("people/<uuid:person_id>/outcomes/", views.outcomes_page, name="outcomes"),
]
