"""The contract as data: the rule catalogue, code lists, pathway definitions, published
schemas, sources and fixtures, found offline and loaded once.
"""
