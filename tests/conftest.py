"""Import lava_replay (and so Lava) first: Lava forces the 'fork' start method, which must happen before anything
touches multiprocessing."""
import lava_replay  # noqa: F401
