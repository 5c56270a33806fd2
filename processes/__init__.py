"""Lava processes of lava-replay, one folder each (process.py: ports and Vars; models.py: ProcessModels)."""
