"""A run's configuration: every option declared once (options.py), resolved into one frozen
Settings (settings.py): command line > environment > ini > default, each value's source kept."""
