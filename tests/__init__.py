"""Strukturbild's test suite (a package, so that ``tests.*`` helpers win over any
installed top-level ``tests`` package, e.g. pygeoapi's from the bench extras)."""
