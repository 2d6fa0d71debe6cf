"""A syrupy extension whose snapshot files hold exactly the bytes `aquadsl compile --out` writes."""

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class PlanSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.BINARY
    file_extension = "json"
