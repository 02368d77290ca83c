"""Template tags of the salons app."""
