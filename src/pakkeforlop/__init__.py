"""pakkeforlop: the pathway specification and offline conformance kit (PHV and TSB pathways)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pakkeforlop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

#: Version of the specification (schemas, code lists, pathway definitions) this kit carries.
SPEC_VERSION = "1.0.0"

__all__ = ["SPEC_VERSION", "__version__"]
