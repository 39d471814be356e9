"""pakkeforlop: the pathway specification and offline conformance kit (PHV and TSB pathways)."""

#: The kit's version, written here only: the build reads it from this line ([tool.hatch.version]
#: in pyproject.toml), so the installed package's metadata says the same. (Looked up in that
#: metadata instead, it cost every command's start the import of importlib.metadata.)
__version__ = "0.1.0"

#: Version of the specification (schemas, code lists, pathway definitions) this kit carries.
SPEC_VERSION = "1.0.0"

__all__ = ["SPEC_VERSION", "__version__"]
