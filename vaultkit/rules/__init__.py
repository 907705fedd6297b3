"""Follow-up rules: plain functions over the model, in one ordered registry.

A rule is `rule(vault, ctx) -> Iterable[FollowUp]`. It reads the model, never the files or the
clock (`ctx.today` is given), and yields the follow-ups that are open as of that day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from vaultkit.followup import FollowUp
from vaultkit.model import Vault


@dataclass(frozen=True)
class RuleContext:
    vault: Vault
    today: date
    tz: tzinfo
    rule_id: str

    def setting(self, key: str) -> Any:
        return self.vault.config.rule(self.rule_id, key)


Rule = Callable[[Vault, RuleContext], Iterable[FollowUp]]


def _registry() -> list[tuple[str, Rule]]:
    from vaultkit.rules import explicit, habits

    return [
        ("follow-up", explicit.follow_up),
        ("task", explicit.task),
        ("application-follow-up", habits.application_follow_up),
        ("thank-you", habits.thank_you),
        ("linkedin-connect", habits.linkedin_connect),
        ("info-interview-prep", habits.info_interview_prep),
        ("reply-promptly", habits.reply_promptly),
        ("keep-in-touch", habits.keep_in_touch),
        ("interview-check-in", habits.interview_check_in),
        ("stale", habits.stale),
        ("offer-update", habits.offer_update),
        ("met-follow-up", habits.met_follow_up),
        ("info-interview-request", habits.info_interview_request),
        ("engage", habits.engage),
        ("share-expertise", habits.share_expertise),
    ]


def derive_followups(vault: Vault, today: date) -> list[FollowUp]:
    """Every open follow-up of the vault as of `today`, sorted by due date and priority."""
    tz = vault.config.tz
    found: dict[str, FollowUp] = {}
    for rule_id, rule in _registry():
        if not vault.config.rule(rule_id, "enabled"):
            continue
        for item in rule(vault, RuleContext(vault, today, tz, rule_id)):
            found.setdefault(item.id, item)
    return sorted(found.values(), key=lambda f: f.sort_key(tz))
