"""rikg.graph_store."""
