"""Renderers: the model and follow-ups in, text or bytes out. They never touch files or the clock."""
