"""Per-batch log file names are injective (issue 11, D14): `A BC-0` and `A_BC-0` get two files."""

from __future__ import annotations

from aquadsl.runtime.logs import LogDir


def test_ids_that_sanitize_alike_get_distinct_log_files(tmp_path):
    log = LogDir.prepare(tmp_path)
    ids = ["A BC-0", "A_BC-0", "A/BC-0", "A\x1bBC-0", "AÆBC-0", "A BC-0 "]
    paths = [log.path_for(b) for b in ids]
    assert len(set(paths)) == len(ids)
    for batch_id in ids:
        log.append(batch_id, f"hello {batch_id!r}")
    for batch_id, path in zip(ids, paths):
        assert path.parent == tmp_path and path.read_text() == f"hello {batch_id!r}\n"


def test_a_safe_id_keeps_its_plain_name_and_names_are_deterministic(tmp_path):
    log = LogDir.prepare(tmp_path)
    assert log.path_for("FAR-2023-001").name == "FAR-2023-001.log"
    assert log.path_for("A BC-0") == LogDir.prepare(tmp_path).path_for("A BC-0")
    assert log.path_for("A BC-0").name.startswith("A_BC-0~")
