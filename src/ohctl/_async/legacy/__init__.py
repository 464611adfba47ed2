"""The legacy V0 client (``/api/conversations...``): its own module, never mixed into the V1 surface."""
