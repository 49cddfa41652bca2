"""drscan: compliance and disaster-recovery readiness auditor for AWS, GCP and Azure."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("drscan")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
