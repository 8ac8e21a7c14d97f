from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.audit.verification import audit_chain_verify


class Command(BaseCommand):
    help = "Walk the audit chain; exit non-zero and name the first broken row if any."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN after {report.checked} good rows: {report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} rows verified. "
                f"Disclosure ledger intact: {report.disclosures} rows verified."
            )
        )
