"""Explorers: plain plotting functions, wrapped by stock ipywidgets via ``interactive_output``.

Each explorer has a static mode (``interactive=False``) that renders its default view as a
real figure, so executed handouts carry an image and never a widget placeholder.
"""
