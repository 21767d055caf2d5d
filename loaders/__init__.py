"""rikg.loaders."""
