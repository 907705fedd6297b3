"""Follow-up rules: plain functions over the model (`explicit.py`, `habits.py`), in one ordered
registry (`registry.py`).

A rule is `rule(vault, ctx) -> Iterable[FollowUp]`. It reads the model, never the files or the
clock (`ctx.today` is given, `context.py`), and yields the follow-ups that are open as of that day.
"""
