from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReferralsConfig(AppConfig):
    name = "tandem.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from tandem.referrals.services import forget_site_rules

        # A new policy version takes effect for this process's next request.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_site_rules, sender="policy.PolicyVersion", dispatch_uid=f"referrals-{signal}"
            )
