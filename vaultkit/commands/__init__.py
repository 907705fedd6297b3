"""What the CLI's commands do beyond evaluating the vault: build and the live engine, watch,
serve, editing notes (new, log, done), adopt, shell completion."""
