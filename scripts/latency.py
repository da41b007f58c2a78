#!/usr/bin/env python3
"""Latency probes for scripts/bench-latency and scripts/bench-stall (plain
sockets, no client library).

  latency.py rate --port P [--rate R] [--seconds S] [--conns C]
      Open-loop load at a fixed rate: R requests/s in total (alternating
      SET key:<n> <3 bytes> and GET key:<n>, n random below 100000), spread
      round-robin over C connections, for S seconds. Each request is due at
      a fixed time; its latency is measured from that due time to its reply,
      so a server stall also counts against the requests that could not be
      sent meanwhile (no coordinated omission). Prints one line of figures.

  latency.py ping --port P --until-file F [--interval-ms 1] [--max-seconds S]
      Closed loop: one PING, wait for +PONG, sleep until the next interval,
      until F exists (or S seconds pass). Prints the round-trip figures and
      each round trip over 5 ms with its time offset.

Both are bounded in time and talk only to 127.0.0.1.
"""
import argparse
import os
import random
import selectors
import socket
import sys
import time


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    i = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def count_replies(buf):
    """Number of complete simple replies (+ - : $) at the start of buf, and
    the bytes they take. Only what SET, GET and PING answer is understood."""
    n = 0
    pos = 0
    ln = len(buf)
    while pos < ln:
        end = buf.find(b"\r\n", pos)
        if end < 0:
            break
        kind = buf[pos:pos + 1]
        if kind == b"$":
            size = int(buf[pos + 1:end])
            if size < 0:
                pos = end + 2
            else:
                if end + 2 + size + 2 > ln:
                    break
                pos = end + 2 + size + 2
        elif kind in (b"+", b"-", b":"):
            pos = end + 2
        else:
            raise ValueError("unexpected reply %r" % buf[pos:pos + 20])
        n += 1
    return n, pos


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def rate_mode(a):
    rng = random.Random(1)
    conns = []
    # select(2) takes microseconds; epoll (the default) rounds a timeout up
    # to whole milliseconds, which would send requests up to 1 ms late.
    sel = selectors.SelectSelector()
    for i in range(a.conns):
        s = socket.create_connection(("127.0.0.1", a.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        st = {"sock": s, "due": [], "buf": b"", "head": 0}
        sel.register(s, selectors.EVENT_READ, st)
        conns.append(st)
    interval = 1.0 / a.rate
    total = int(a.rate * a.seconds)
    lat = []
    start = time.perf_counter() + 0.05
    sent = 0
    done = 0
    deadline = start + a.seconds + 10.0
    while done < total:
        now = time.perf_counter()
        if now > deadline:
            print("rate: gave up waiting for %d replies" % (total - done), file=sys.stderr)
            break
        while sent < total and start + sent * interval <= now:
            st = conns[sent % len(conns)]
            k = b"key:%d" % rng.randrange(100000)
            cmd = resp(b"SET", k, b"xxx") if sent % 2 == 0 else resp(b"GET", k)
            st["sock"].sendall(cmd)
            st["due"].append(start + sent * interval)
            sent += 1
        wait = 0.0
        if sent < total:
            wait = max(0.0, start + sent * interval - time.perf_counter())
        else:
            wait = 0.01
        for key, _ in sel.select(timeout=wait):
            st = key.data
            data = st["sock"].recv(65536)
            if not data:
                raise SystemExit("server closed the connection")
            t = time.perf_counter()
            st["buf"] += data
            n, used = count_replies(st["buf"])
            st["buf"] = st["buf"][used:]
            for _ in range(n):
                lat.append(t - st["due"][st["head"]])
                st["head"] += 1
            done += n
    lat.sort()
    ms = [x * 1000.0 for x in lat]
    elapsed = time.perf_counter() - start
    print("requests=%d achieved_rate=%.0f/s p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms"
          % (len(ms), len(ms) / elapsed, pct(ms, 50), pct(ms, 99), pct(ms, 99.9), ms[-1] if ms else 0))


def ping_mode(a):
    s = socket.create_connection(("127.0.0.1", a.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(30)
    interval = a.interval_ms / 1000.0
    rtts = []
    slow = []
    t0 = time.perf_counter()
    nxt = t0
    cmd = resp(b"PING")
    while not os.path.exists(a.until_file) and time.perf_counter() - t0 < a.max_seconds:
        t = time.perf_counter()
        s.sendall(cmd)
        buf = b""
        while not buf.endswith(b"\r\n"):
            chunk = s.recv(64)
            if not chunk:
                raise SystemExit("server closed the connection")
            buf += chunk
        rtt = (time.perf_counter() - t) * 1000.0
        rtts.append(rtt)
        if rtt > 5.0:
            slow.append((t - t0, rtt))
        nxt += interval
        d = nxt - time.perf_counter()
        if d > 0:
            time.sleep(d)
        else:
            nxt = time.perf_counter()
    rtts.sort()
    print("pings=%d p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms over5ms=%d"
          % (len(rtts), pct(rtts, 50), pct(rtts, 99), pct(rtts, 99.9), rtts[-1] if rtts else 0, len(slow)))
    for off, rtt in sorted(slow, key=lambda x: -x[1])[:10]:
        print("  slow ping at +%.2fs: %.1f ms" % (off, rtt))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("rate")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--rate", type=float, default=5000)
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("--conns", type=int, default=4)
    q = sub.add_parser("ping")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--until-file", required=True)
    q.add_argument("--interval-ms", type=float, default=1.0)
    q.add_argument("--max-seconds", type=float, default=600)
    a = p.parse_args()
    if a.mode == "rate":
        rate_mode(a)
    else:
        ping_mode(a)


if __name__ == "__main__":
    main()
