"""Comments under every story: the providers and the local Isso server.

May import `model` and `linking`.
"""
