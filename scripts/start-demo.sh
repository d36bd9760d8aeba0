#!/usr/bin/env bash
# npm start: set up what is missing, then run SeatBox in demo mode on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
DATA="${SEATBOX_DEMO_DATA:-/var/lib/seatbox-demo}"
PORT="${SEATBOX_PORT:-8080}"
echo "SeatBox demo: http://127.0.0.1:$PORT  (data in $DATA; Ctrl-C stops everything)" >&2
# Node flags as on the appliance (image/rootfs/etc/systemd/system/seatbox-agent.service).
exec node --max-semi-space-size=2 --optimize-for-size firmware-agent/bin/seatbox.js serve --demo --data "$DATA" --port "$PORT"
