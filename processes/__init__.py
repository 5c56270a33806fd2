"""Lava processes of lava-replay, one folder each."""
