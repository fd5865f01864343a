"""The lifecycle module: rules that move customers between lifecycle stages, their history, the board."""
