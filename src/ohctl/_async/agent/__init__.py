"""The agent-server client (one agent server per sandbox)."""
