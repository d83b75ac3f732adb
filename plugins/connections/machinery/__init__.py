"""Speed and memory: warm builds, Pelican's caches made safe, reusing
Markdown, taxonomies in linear time. Apart from the features; a feature
never imports it.

May import `model`, `linking`, `output` and `comments`.
"""
