#!/bin/bash
# Move logs older than 30 days to the archive bucket.
set -euo pipefail
find /data/logs -type f -mtime +30 -print0 | xargs -0 -r -I{} mv {} /data/archive/
