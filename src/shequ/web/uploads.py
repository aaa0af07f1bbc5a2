"""Uploaded files are copied to disk block by block, never held whole, and cut off at the
import limit (`ingest.limits.Limits.max_file_bytes`) with a 413 that says so; every route
that takes a file (imports, scenario sites) saves it here."""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException, UploadFile

from ..ingest.limits import Limits, over_limit


async def save_upload(file: UploadFile, path: Path, limits: Limits) -> None:
    """Copy an upload to ``path`` block by block; refuse it (413) past ``max_file_bytes``."""
    written = 0
    with path.open("wb") as out:
        while block := await file.read(1024 * 1024):
            written += len(block)
            if written > limits.max_file_bytes:
                out.close()
                path.unlink(missing_ok=True)
                detail = str(
                    over_limit(
                        path,
                        "上传大小 ",
                        "the upload",
                        f"> {limits.max_file_bytes:,} B",
                        limits.max_file_bytes,
                        "max_file_bytes",
                    )
                )
                raise HTTPException(413, detail)
            out.write(block)
