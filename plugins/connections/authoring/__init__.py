"""What an author runs: the content check, scaffolding, the preview server.

May import everything below it.
"""
