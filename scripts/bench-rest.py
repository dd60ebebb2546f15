#!/usr/bin/env python3
"""REST vs gRPC on the same node, same run: sequential latency and concurrent throughput of
one query (Node/Status, and Node/GetBlock for a block with txs), from one client process.

    python3 scripts/bench-rest.py --grpc 127.0.0.1:PORT --api 127.0.0.1:PORT [--n 2000]

Needs the Python SDK's environment (scripts/test-python.sh makes it: target/tools/python-sdk).
Both clients keep one connection open (HTTP/1.1 keep-alive; one HTTP/2 channel), so the
numbers compare the gateway's JSON path with the gRPC path, the Python client's own cost
included on both sides.
"""
import argparse
import http.client
import json
import statistics
import threading
import time

import grpc

from proofwork.node.v1 import node_pb2, node_pb2_grpc


def rest_call(conn, path, body):
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    assert r.status == 200, (r.status, data[:200])
    return data


def measure(fn, n):
    lat = []
    t0 = time.perf_counter()
    for _ in range(n):
        s = time.perf_counter()
        fn()
        lat.append(time.perf_counter() - s)
    total = time.perf_counter() - t0
    lat.sort()
    return {
        "p50_us": round(statistics.median(lat) * 1e6, 1),
        "p99_us": round(lat[int(len(lat) * 0.99) - 1] * 1e6, 1),
        "per_s": round(n / total),
    }


def concurrent(make, n, threads):
    done = []

    def work():
        fn = make()
        for _ in range(n // threads):
            fn()
        done.append(1)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return round((n // threads) * threads / (time.perf_counter() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grpc", required=True)
    ap.add_argument("--api", required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--height", type=int, default=2)
    a = ap.parse_args()
    host, port = a.api.split(":")
    chan = grpc.insecure_channel(a.grpc)
    stub = node_pb2_grpc.NodeStub(chan)
    conn = http.client.HTTPConnection(host, int(port))
    out = {}
    for name, grpc_fn, path, body in [
        ("Status", lambda: stub.Status(node_pb2.StatusRequest()), "/v1/rpc/proofwork.node.v1.Node/Status", "{}"),
        ("GetBlock", lambda: stub.GetBlock(node_pb2.GetBlockRequest(height=a.height)),
         "/v1/rpc/proofwork.node.v1.Node/GetBlock", json.dumps({"height": str(a.height)})),
    ]:
        for _ in range(200):  # warm-up
            grpc_fn()
            rest_call(conn, path, body)
        g = measure(grpc_fn, a.n)
        r = measure(lambda: rest_call(conn, path, body), a.n)

        def make_rest():
            c = http.client.HTTPConnection(host, int(port))
            return lambda: rest_call(c, path, body)

        g["concurrent_per_s"] = concurrent(lambda: grpc_fn, a.n * 2, a.threads)
        r["concurrent_per_s"] = concurrent(make_rest, a.n * 2, a.threads)
        out[name] = {"grpc": g, "rest": r,
                     "rest_over_grpc_p50": round(r["p50_us"] / g["p50_us"], 2),
                     "rest_over_grpc_throughput": round(r["concurrent_per_s"] / g["concurrent_per_s"], 2)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
