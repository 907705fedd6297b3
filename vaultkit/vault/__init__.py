"""The vault as vaultkit reads it: finding the notes (scan), reading one note (parse), typing
its fields (fields), the whole vault as records and links (model), the settings (config), and
what Obsidian itself says (obsidian). Reads files; knows nothing of follow-ups or outputs."""
