"""The ohctl command line: a thin layer over the public ohctl API (one module per command group).

Nothing heavy is imported at start: ``ohctl --help`` loads click only; each command imports what it
needs when it runs.
"""
