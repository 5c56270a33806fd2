"""Per-neuron spike counts packed six to an int64 word: Lava's Var.get() sends a Var back one value at a time
(as float64, exact to 2^53), so recorded counts are stored 48 bits to a value, 8 bits per count."""
import numpy as np

COUNT_BITS = 8        # a neuron's spikes in one slot or presentation, saturated at 255
COUNTS_PER_WORD = 6   # 48 bits per int64 word: exact in the float64 values of Lava's element-wise Var.get()


def packed_width(n):
    """Words per recorded slot for n neurons."""
    return -(-n // COUNTS_PER_WORD)


def pack_counts(counts):
    """Per-neuron counts (..., n) -> packed int64 words (..., packed_width(n)), each count saturated at 255."""
    counts = np.asarray(counts)
    n = counts.shape[-1]
    lanes = np.zeros(counts.shape[:-1] + (packed_width(n) * COUNTS_PER_WORD,), dtype=np.int64)
    lanes[..., :n] = np.minimum(counts, 2 ** COUNT_BITS - 1)
    shifts = COUNT_BITS * np.arange(COUNTS_PER_WORD, dtype=np.int64)
    return (lanes.reshape(lanes.shape[:-1] + (-1, COUNTS_PER_WORD)) << shifts).sum(axis=-1)


def unpack_counts(words, n):
    """Packed words (..., packed_width(n)) -> per-neuron counts (..., n)."""
    words = np.asarray(words).astype(np.int64)
    shifts = COUNT_BITS * np.arange(COUNTS_PER_WORD, dtype=np.int64)
    lanes = (words[..., None] >> shifts) & (2 ** COUNT_BITS - 1)
    return lanes.reshape(words.shape[:-1] + (-1,))[..., :n]
