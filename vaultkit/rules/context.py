"""What a rule is given besides the model: the day, the zone and its own settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from vaultkit.rules.followup import FollowUp
from vaultkit.vault.model import Vault


@dataclass(frozen=True)
class RuleContext:
    vault: Vault
    today: date
    tz: tzinfo
    rule_id: str

    def setting(self, key: str) -> Any:
        return self.vault.config.rule(self.rule_id, key)


Rule = Callable[[Vault, RuleContext], Iterable[FollowUp]]
