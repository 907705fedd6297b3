"""Renderers: the model and follow-ups in, text or bytes out; never files or the clock."""
