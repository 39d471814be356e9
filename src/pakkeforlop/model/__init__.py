"""What an export is read into: documents, per-instance records and the facts that cross
files, with the identifiers, pointers and findings they carry.
"""
