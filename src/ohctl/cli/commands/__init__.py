"""One module per command group; each exposes click commands that ``cli.main`` loads on demand."""
