"""The web wing's shared rooms: request context, parameters, page cache, security, errors.

Every page and API blueprint builds on these; none of them imports the build wing.
"""
