"""Reads of legal coordination. Each takes the viewer, asks the access decision, returns
plain values of what the viewer may see, and writes the read to the audit chain.

- `holds`: diverted-charge holds, for prosecutors (their office's) and the project manager.
- `partners`: what prosecutors and defenders named in a release see of participants.
- `team`: the status for legal partners and Golden-Rule letters, for the holding team."""

from tandem.legal.selectors.holds import (
    HoldDetail,
    HoldList,
    HoldRow,
    hold_for_change,
    hold_get,
    hold_list,
)
from tandem.legal.selectors.partners import (
    LegalParticipant,
    LegalParticipantList,
    SummaryShown,
    legal_participant_get,
    legal_participant_list,
    summary_preview,
    summary_shown,
)
from tandem.legal.selectors.team import (
    HeldForLegal,
    LetterPage,
    LetterPreview,
    LetterRequest,
    legal_readers,
    legal_status_page,
    letter_get,
    letter_page,
    letter_recipients,
    person_for_legal_writing,
)

__all__ = [
    "HeldForLegal",
    "HoldDetail",
    "HoldList",
    "HoldRow",
    "LegalParticipant",
    "LegalParticipantList",
    "LetterPage",
    "LetterPreview",
    "LetterRequest",
    "SummaryShown",
    "hold_for_change",
    "hold_get",
    "hold_list",
    "legal_participant_get",
    "legal_participant_list",
    "legal_readers",
    "legal_status_page",
    "letter_get",
    "letter_page",
    "letter_recipients",
    "person_for_legal_writing",
    "summary_preview",
    "summary_shown",
]
