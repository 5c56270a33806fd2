"""Atomic file writes: write to a temporary file in the same folder, then rename over the target."""
import hashlib
import json
import os
import tempfile

import numpy as np


def file_sha256(path):
    """SHA-256 hex digest of a file's content, read in 4 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_with(path, writer, suffix=""):
    """Call writer(tmp_path) and move the result to path atomically; nothing is left behind on errors."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    try:
        writer(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the result the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _write_bytes(write):
    def writer(tmp):
        with open(tmp, "wb") as f:
            write(f)
    return writer


def atomic_save_npz(path, **arrays):
    """Save arrays as a compressed .npz at path atomically."""
    atomic_write_with(path, _write_bytes(lambda f: np.savez_compressed(f, **arrays)), ".npz")


def atomic_write_text(path, text):
    """Write a UTF-8 text file at path atomically."""
    atomic_write_with(path, _write_bytes(lambda f: f.write(text.encode())), os.path.splitext(path)[1])


def atomic_write_json(path, obj):
    """Write obj as indented JSON at path atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")
