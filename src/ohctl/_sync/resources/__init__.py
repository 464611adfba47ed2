# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
