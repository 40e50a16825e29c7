"""The `nashra` command line."""
