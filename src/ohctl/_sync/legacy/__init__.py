# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The legacy V0 client (``/api/conversations...``): its own module, never mixed into the V1 surface."""
