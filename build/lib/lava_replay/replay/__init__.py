"""Latent replay: what is stored (buffer, compression, memory) and when it is replayed (schedule)."""
