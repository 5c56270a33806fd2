"""Lava processes of lava-replay, one folder each (process.py: ports and Vars; models.py: ProcessModels by tag).

They stand alone, as Lava's own lava/proc do: they import only Lava, numpy and this package (shared helpers:
fixed_point, spike_packing, count_packing, slot_clock), and raise standard exceptions (ValueError on bad arguments).
"""
