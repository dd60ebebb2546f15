#!/usr/bin/env bash
# Regenerates the protobuf/gRPC modules under src/proofwork/*/v1 from proto/proto.
# Needs grpcio-tools (pip install 'grpcio-tools==1.85.1'); run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${PYTHON:-python3}"
cd "$root/proto/proto"
"$py" -m grpc_tools.protoc -I . --python_out="$here/src" --pyi_out="$here/src" \
    --grpc_python_out="$here/src" $(find proofwork -name '*.proto' | sort)
for d in $(find proofwork -mindepth 2 -maxdepth 2 -type d); do
    touch "$here/src/$d/__init__.py" "$here/src/$(dirname "$d")/__init__.py"
done
