"""The chat playground: threads and their messages (stored), and comparing models' replies."""
