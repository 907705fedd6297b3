"""Answers computed from the model and the follow-ups, as plain data for the renderers and
the CLI: the agenda's sections, the checks, stats, a record's timeline, message drafts."""
