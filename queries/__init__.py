"""rikg.queries."""
