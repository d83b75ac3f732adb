"""Stories linked to the people and events they tag: the mention syntax,
the linker, what linking knows of a story, and its summary.

May import `model`.
"""
