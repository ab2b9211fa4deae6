"""Writers of observation tables."""
