from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PolicyConfig(AppConfig):
    name = "tandem.policy"
    label = "policy"

    def ready(self) -> None:
        from tandem.policy.selectors import forget_site_rules

        # A new policy version takes effect for this process's next request.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_site_rules, sender="policy.PolicyVersion", dispatch_uid=f"policy-{signal}"
            )
