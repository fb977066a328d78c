"""Developer tools run from the Makefile (make soak)."""
