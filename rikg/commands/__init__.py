"""One module per ``rikg`` command; each exposes ``run(args) -> int``."""
