"""safe_extract: no entry outside the destination, caps on size and entry count, nothing left behind
when an archive is refused or damaged, no silent overwrite of a name given twice."""

from __future__ import annotations

import dataclasses
import io
import os
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ohctl
from ohctl import _archive as archive_module
from ohctl._archive import CorruptArchiveError, UnsafeArchiveError


def make_zip(path: Path, entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def left_behind(dest: Path) -> list[str]:
    return sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))


def test_unpacks_files_and_directories(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("meta.json", b"{}"), ("events/e1.json", b"[1]"), ("events/sub/", b"")])
    written = ohctl.safe_extract(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["events/e1.json", "meta.json"]
    assert (tmp_path / "out" / "events" / "sub").is_dir()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".ohctl-extract")]


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/../../evil", "C:/windows/x", "..\\evil"])
def test_refuses_paths_outside(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "a.zip", [("fine.txt", b"x"), (name, b"bad")])
    with pytest.raises(UnsafeArchiveError, match="outside the destination"):
        ohctl.safe_extract(archive, tmp_path / "out")
    assert left_behind(tmp_path / "out") == []


def test_refuses_symlinks_in_zip_and_tar(tmp_path: Path) -> None:
    zpath = tmp_path / "link.zip"
    with zipfile.ZipFile(zpath, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="links"):
        ohctl.safe_extract(zpath, tmp_path / "z")
    tpath = tmp_path / "link.tar"
    with tarfile.open(tpath, "w") as archive:
        member = tarfile.TarInfo("link")
        member.type = tarfile.SYMTYPE
        member.linkname = "/etc/passwd"
        archive.addfile(member)
    with pytest.raises(UnsafeArchiveError, match="only files and directories"):
        ohctl.safe_extract(tpath, tmp_path / "t")
    assert left_behind(tmp_path / "z") == [] and left_behind(tmp_path / "t") == []


@pytest.mark.parametrize(
    ("link", "entry"),
    [("sub", "sub/evil.txt"), ("sub", "sub/deeper/evil.txt"), ("a/sub", "a/sub/evil.txt"), ("sub", "sub/")],
)
def test_a_link_already_in_the_destination_is_not_written_through(tmp_path: Path, link: str, entry: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest = tmp_path / "out"
    (dest / link).parent.mkdir(parents=True, exist_ok=True)
    (dest / link).symlink_to(elsewhere, target_is_directory=True)
    archive = make_zip(tmp_path / "a.zip", [("fine.txt", b"x"), (entry, b"" if entry.endswith("/") else b"bad")])
    with pytest.raises(UnsafeArchiveError, match="is a link in the destination"):
        ohctl.safe_extract(archive, dest)
    assert list(elsewhere.iterdir()) == []  # nothing landed outside
    assert not (dest / "fine.txt").exists()  # and nothing was written at all


def test_a_file_that_is_a_link_in_the_destination_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "meta.json").symlink_to(outside)
    ohctl.safe_extract(make_zip(tmp_path / "a.zip", [("meta.json", b"{}")]), dest)
    assert outside.read_text() == "keep" and not (dest / "meta.json").is_symlink()
    assert (dest / "meta.json").read_bytes() == b"{}"


def test_a_small_zip_bomb_is_refused_by_the_size_cap(tmp_path: Path) -> None:
    """A zip of a few hundred KB that unpacks to 300 MB: refused before anything is written."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as out:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                out.write(block)
    assert path.stat().st_size < 400_000
    with pytest.raises(UnsafeArchiveError, match="cap is 104857600"):
        ohctl.safe_extract(path, tmp_path / "out", max_total_bytes=100 * 1024 * 1024)
    assert left_behind(tmp_path / "out") == []


def test_declared_sizes_over_the_cap_are_refused_before_writing(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", [("a.bin", b"x" * 5000), ("b.bin", b"y" * 5000)])
    with pytest.raises(UnsafeArchiveError, match=r"unpacks to 10000 bytes \(the cap is 6000"):
        ohctl.safe_extract(path, tmp_path / "out", max_total_bytes=6000)
    assert left_behind(tmp_path / "out") == []


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_a_lying_header_is_caught_while_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """The declared sizes pass the cap (each entry claims one byte), the data does not: the bytes
    really produced are counted while writing, and nothing is left behind. zipfile and tarfile stop
    at the declared size themselves, so the lie is told by the entry listing (what a reader that
    trusts a forged header would see)."""
    entries = [("a.bin", b"x" * 5000), ("b.bin", b"y" * 5000)]
    if kind == "zip":
        path = make_zip(tmp_path / "a.zip", entries)
        lister = "_entries_zip"
    else:
        path = tmp_path / "a.tar"
        with tarfile.open(path, "w") as archive:
            for name, data in entries:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        lister = "_entries_tar"
    honest = getattr(archive_module, lister)
    monkeypatch.setattr(archive_module, lister, lambda opened: [dataclasses.replace(e, size=1) for e in honest(opened)])
    with pytest.raises(UnsafeArchiveError, match=r"more than 6000 bytes \(its headers said 2;"):
        ohctl.safe_extract(path, tmp_path / "out", max_total_bytes=6000)
    assert left_behind(tmp_path / "out") == []
    assert len(ohctl.safe_extract(path, tmp_path / "ok", max_total_bytes=10_000)) == 2  # the exact size passes


def test_entry_count_cap(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.zip", [(f"f{i}", b"") for i in range(50)])
    with pytest.raises(UnsafeArchiveError, match="50 entries"):
        ohctl.safe_extract(path, tmp_path / "out", max_entries=49)
    assert len(ohctl.safe_extract(path, tmp_path / "ok", max_entries=50)) == 50


def test_duplicate_names_are_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("report.txt", b"first")
        archive.writestr("report.txt", b"second")
    with pytest.raises(UnsafeArchiveError, match="more than once"):
        ohctl.safe_extract(path, tmp_path / "out")
    other = make_zip(tmp_path / "dup2.zip", [("a/b.txt", b"1"), ("a/./b.txt", b"2")])
    with pytest.raises(UnsafeArchiveError, match="more than once"):
        ohctl.safe_extract(other, tmp_path / "out")
    assert left_behind(tmp_path / "out") == []


def test_a_corrupt_entry_leaves_nothing_behind(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", [("good.txt", b"g" * 1000), ("bad.txt", b"important data " * 100)])
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("bad.txt")
    start = info.header_offset + 30 + len(info.filename)  # local header, then the compressed data
    raw[start + 5 : start + 15] = b"\xff" * 10
    path.write_bytes(bytes(raw))
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "good.txt").write_text("kept")
    with pytest.raises(CorruptArchiveError, match="damaged or truncated"):
        ohctl.safe_extract(path, dest)
    assert left_behind(dest) == ["good.txt"] and (dest / "good.txt").read_text() == "kept"


def test_a_truncated_tar_gz_leaves_nothing_behind(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for i in range(5):
            data = os.urandom(200_000)
            member = tarfile.TarInfo(f"f{i}.bin")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises((CorruptArchiveError, UnsafeArchiveError)):
        ohctl.safe_extract(path, tmp_path / "out")
    assert left_behind(tmp_path / "out") == []


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_text("<html>maintenance</html>")
    with pytest.raises(CorruptArchiveError, match="neither a zip nor a tar"):
        ohctl.safe_extract(path, tmp_path / "out")


def test_errors_are_ohctl_errors() -> None:
    assert issubclass(UnsafeArchiveError, ohctl.ArchiveError) and issubclass(CorruptArchiveError, ohctl.ArchiveError)
    assert issubclass(ohctl.ArchiveError, ohctl.OhctlError)


NAMES = st.lists(
    st.lists(st.sampled_from(["a", "b", ".", "..", "/", "\\", ":", "C:"]), min_size=1, max_size=8).map("".join),
    min_size=1,
    max_size=6,
)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
def test_whatever_the_names_nothing_lands_outside(tmp_path: Path, names: list[str]) -> None:
    work = Path(tempfile.mkdtemp(dir=os.path.realpath(tmp_path)))
    path = work / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i, name in enumerate(names):
            info = zipfile.ZipInfo(name)
            archive.writestr(info, f"data {i}")
    dest = work / "out"
    before = set(work.parent.rglob("*"))
    try:
        written = ohctl.safe_extract(path, dest)
    except (UnsafeArchiveError, CorruptArchiveError):
        assert left_behind(dest) == []
        written = []
    for file in written:
        assert dest in file.resolve().parents
    created = set(work.parent.rglob("*")) - before
    assert all(dest == p or dest in p.parents for p in created)
