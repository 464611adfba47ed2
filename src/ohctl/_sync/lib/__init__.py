# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Hand-written helpers that are not a route: waiting, hand-off to the agent server, trajectories,
the app-side event stream. They drive the resources through the client; resources call them."""
