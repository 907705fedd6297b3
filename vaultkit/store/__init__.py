"""Storage below everything else: atomic writes, safe reads, the SQLite cache, the vault's
hidden state folder (`.vaultkit/`), the feed state and the output folder's writer. Knows
files and bytes, never notes."""
