"""People and events, what a story is called, and reading content files.

Imports nothing else of the plugin but `settings` and `diagnostics`.
"""
