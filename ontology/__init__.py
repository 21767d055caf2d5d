"""rikg.ontology."""
