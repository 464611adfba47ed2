# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The agent-server client (one agent server per sandbox)."""
