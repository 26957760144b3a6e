"""The clause library and the settings, as most commands load them first: imported when a command runs, so that
`mou --help` and every command's help answer without importing the documents or pydantic."""

from __future__ import annotations


def load_library(library_dir):
    from pipeline.api import load_library as load

    return load(library_dir)


def load_settings(path):
    from pipeline.spec.settings import load_settings as load

    return load(path)
