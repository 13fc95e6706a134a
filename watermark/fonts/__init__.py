"""The notice font (a data package, so the wheel carries the .ttf; see README.md)."""
