"""The ``trueup`` command line: parse, call the library, render."""
