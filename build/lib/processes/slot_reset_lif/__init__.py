"""A ProcessModel of Lava's LIFReset that keeps back-to-back samples independent in recurrent netx layers."""
