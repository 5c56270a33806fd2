"""Data: SHD through tonic binned on a fixed grid, class-incremental protocols, synthetic SHD, MNIST."""
