"""Reading a DataArts workspace: paged lists, job bodies through batch export, and the
environment lists (connections, DLI queues, DIS streams, GES graphs).

Paging (reference §10.1): the service calls `offset` a "page number" but the meaning is not
settled, so `list_all` asks for offset 0, then offset 1, and tells from the overlap whether
offset counts rows or pages; it then stops on a short page or when `total` names are in hand,
and keeps the first item per name.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from jobsync.backends.dataarts.http import SignedClient
from jobsync.errors import RemoteError, ServiceError

EXPORT_BATCH = 100  # batch export takes at most 100 jobs (reference §2.2)
MAX_PAGES = 100_000


def unique(items: Iterable[Mapping[str, Any]], seen: dict[str, Mapping[str, Any]]) -> None:
    for item in items:
        seen.setdefault(str(item.get("name")), item)


def list_all(
    client: SignedClient,
    path: str,
    key: str,
    *,
    limit: int = 100,
    query: Sequence[tuple[str, Any]] = (),
    pool: ThreadPoolExecutor | None = None,
) -> list[Mapping[str, Any]]:
    """Every item of a V1 list, whichever way the service reads `offset`."""

    def fetch(offset: int) -> tuple[list[Mapping[str, Any]], int]:
        reply = client.get_json(path, [*query, ("offset", offset), ("limit", limit)])
        return list(reply.get(key) or []), int(reply.get("total") or 0)

    seen: dict[str, Mapping[str, Any]] = {}
    first, total = fetch(0)
    unique(first, seen)
    if first and len(first) < limit and len(seen) < total:
        # a short first page of an incomplete list: the service caps `limit` below ours
        return list_all(client, path, key, limit=len(first), query=query, pool=pool)
    if len(first) < limit or len(seen) >= total:
        return list(seen.values())
    probe, total = fetch(1)
    unique(probe, seen)
    step = limit if probe and probe[0].get("name") == first[1].get("name") else 1
    offsets = list(range(limit, total, limit)) if step == limit else list(range(2, -(-total // limit)))
    pages = pool.map(fetch, offsets) if pool else map(fetch, offsets)
    last: list[Mapping[str, Any]] = probe
    for page, _ in pages:
        unique(page, seen)
        last = page
    offset = (offsets[-1] if offsets else (0 if step == limit else 1)) + step
    for _ in range(MAX_PAGES):  # the list grew while we read it: read on to a short page
        if len(last) < limit or len(seen) >= total:
            break
        last, _ = fetch(offset)
        unique(last, seen)
        offset += step
    return list(seen.values())


def parse_export(data: bytes) -> dict[str, dict[str, Any]]:
    """name -> job body of every `.job` member of an export zip, wherever it sits."""
    bodies: dict[str, dict[str, Any]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".job"):
                    body = json.loads(archive.read(info))
                    stem = info.filename.rsplit("/", 1)[-1][: -len(".job")]
                    bodies[str(body.get("name") or stem)] = body
    except (zipfile.BadZipFile, ValueError) as error:
        raise RemoteError(f"the batch export returned an unreadable zip ({error})") from None
    return bodies


def export_jobs(client: SignedClient, names: Sequence[str], status: str) -> dict[str, dict[str, Any]]:
    """Bodies of up to 100 jobs in one batch export; a job deleted meanwhile is left out."""
    body = {"jobList": list(names), "exportDepend": False, "exportStatus": status}
    try:
        response = client.call("POST", client.path("jobs", "batch-export"), body=body)
    except ServiceError as error:
        if error.code != "DLF.0100" or len(names) == 1:
            if error.code == "DLF.0100":
                return {}
            raise RemoteError(f"batch export failed: {error}") from None
        half = len(names) // 2  # one of them vanished: split until it is found
        return {
            **export_jobs(client, names[:half], status),
            **export_jobs(client, names[half:], status),
        }
    return parse_export(response.content)


def export_all(
    client: SignedClient,
    names: Sequence[str],
    status: str,
    pool: ThreadPoolExecutor,
    *,
    keep: Callable[[str, dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Bodies of `names` by batch export, in parallel; `keep` turns each body into what is
    kept as its batch arrives (in the calling thread), so the batches' bodies need not all be
    held at once."""
    batches = [names[i : i + EXPORT_BATCH] for i in range(0, len(names), EXPORT_BATCH)]
    bodies: dict[str, Any] = {}
    for part in pool.map(lambda batch: export_jobs(client, batch, status), batches):
        if keep is None:
            bodies.update(part)
        else:
            bodies.update((name, keep(name, body)) for name, body in part.items())
    return bodies


def optional_names(read: Callable[[], Iterable[str]]) -> frozenset[str] | None:
    """The names a list returns, or None when this account or region cannot read it."""
    try:
        return frozenset(read())
    except (ServiceError, RemoteError):
        return None


def dli_queues(client: SignedClient) -> Iterable[str]:
    reply = client.get_json(client.path("queues", version="v1.0"))
    return [str(queue.get("queue_name")) for queue in reply.get("queues") or []]


def dis_streams(client: SignedClient) -> Iterable[str]:
    names: list[str] = []
    start = ""
    for _ in range(MAX_PAGES):
        query = [("limit", 100)] + ([("start_stream_name", start)] if start else [])
        reply = client.get_json(client.path("streams", version="v2"), query)
        page = [str(name) for name in reply.get("stream_names") or []]
        names.extend(page)
        if not page or not reply.get("has_more_streams"):
            break
        start = page[-1]
    return names


def ges_graphs(client: SignedClient) -> Iterable[str]:
    names: list[str] = []
    for _ in range(MAX_PAGES):
        query = [("offset", len(names)), ("limit", 100)]
        reply = client.get_json(client.path("graphs", version="v2"), query)
        page = [str(graph.get("name")) for graph in reply.get("graphs") or []]
        names.extend(page)
        if len(page) < 100 or len(names) >= int(reply.get("graphCount") or 0):
            break
    return names
