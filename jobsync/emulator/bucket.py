"""An OBS-compatible bucket endpoint, path style: `PUT/GET/HEAD/DELETE /<bucket>/<key>`.

Enough for esdk-obs-python's putContent/putFile/getObject against a loopback server. Buckets
are created by `PUT /<bucket>` or by the first object put into them. Any OBS or AWS v2/v4
signature with a known access key is accepted (reference §8.5: the SDK negotiates the
signature type); the signature itself is not checked. Objects live in memory only.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote

from jobsync.emulator.http import BUCKET_MISSING, OBS_READ_FAILED, ApiError, Reply
from jobsync.emulator.state import EmulatorState

ACCESS_KEY = re.compile(r"^(?:OBS|AWS) ([^:\s]+):|Credential=([^/,\s]+)/")


def xml_error(status: int, code: str, message: str) -> Reply:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    ).encode()
    return Reply(status, body, {"Content-Type": "application/xml"})


def known_key(state: EmulatorState, authorization: str) -> bool:
    match = ACCESS_KEY.search(authorization)
    access_key = match and (match.group(1) or match.group(2))
    return bool(access_key) and state.secret_for(str(access_key)) is not None


def handle(state: EmulatorState, method: str, path: str, authorization: str, body: bytes) -> Reply:
    if not known_key(state, authorization):
        return xml_error(403, "InvalidAccessKeyId", "The access key does not exist.")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    if not bucket:
        return Reply(200, b"<ListAllMyBucketsResult/>", {"Content-Type": "application/xml"})
    with state.lock:
        if not key:
            return bucket_call(state, method, bucket)
        return object_call(state, method, bucket, key, body)


def bucket_call(state: EmulatorState, method: str, bucket: str) -> Reply:
    if method == "PUT":
        state.obs.setdefault(bucket, {})
        return Reply(200)
    if bucket not in state.obs:
        return xml_error(404, "NoSuchBucket", "The specified bucket does not exist.")
    return Reply(200, b"" if method == "HEAD" else b"<ListBucketResult/>")


def object_call(state: EmulatorState, method: str, bucket: str, key: str, body: bytes) -> Reply:
    if method == "PUT":
        state.obs.setdefault(bucket, {})[key] = body
        return Reply(200, b"", {"ETag": f'"{hashlib.md5(body).hexdigest()}"'})
    objects = state.obs.get(bucket)
    if objects is None:
        return xml_error(404, "NoSuchBucket", "The specified bucket does not exist.")
    if key not in objects:
        return xml_error(404, "NoSuchKey", "The specified key does not exist.")
    if method == "DELETE":
        del objects[key]
        return Reply(204)
    data = objects[key]
    etag = f'"{hashlib.md5(data).hexdigest()}"'
    headers = {"Content-Type": "application/octet-stream", "ETag": etag}
    return Reply(200, b"" if method == "HEAD" else data, headers)


def split_obs_path(path: str) -> tuple[str, str]:
    match = re.fullmatch(r"obs://([^/]+)/(.+)", path or "")
    if not match:
        raise ApiError("DLF.0803", f"The OBS path is invalid: {path}")
    return match.group(1), match.group(2)


def read_obs(state: EmulatorState, path: str) -> bytes:
    bucket, key = split_obs_path(path)
    objects = state.obs.get(bucket)
    if objects is None:
        raise ApiError(BUCKET_MISSING, f"The OBS bucket {bucket} does not exist.")
    if key not in objects:
        raise ApiError(OBS_READ_FAILED, "Fail to read OBS file.")
    return objects[key]


def write_obs(state: EmulatorState, path: str, data: bytes) -> None:
    bucket, key = split_obs_path(path)
    if bucket not in state.obs:
        raise ApiError(BUCKET_MISSING, f"The OBS bucket {bucket} does not exist.")
    state.obs[bucket][key] = data
