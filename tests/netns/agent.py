"""The program that runs "on" one instance: `ip netns exec <instance-id> python3 agent.py`.

It opens real sockets on the instance's eth0 for the suite: echo servers (TCP and UDP), client
exchanges with the same 5-tuple the analyzer uses (source port 49152), long-lived TCP
connections for the live-change tests, and the namespace's own IPv4 counters. One process per
instance instead of one per exchange keeps the suite within its time budget; every packet is
still the kernel's, sent from inside the instance's namespace.

Requests are JSON lines on stdin, {"id": N, "op": ...}; each gets one JSON line on stdout with
the same id. Requests run on their own threads, so a client exchange waiting for its timeout does
not hold up the others. EOF on stdin ends the process (the suite also kills it by pid).
"""
import json
import socket
import struct
import sys
import threading
import time

_out = threading.Lock()
_servers = {}  # (proto, port) -> listening socket
_conns = {}    # name -> connected TCP socket (live-change tests)
_seen = {}     # token -> (proto, peer address): what the servers received
_seen_lock = threading.Lock()
_serve_lock = threading.Lock()


def _reply(rid, **kw):
    line = json.dumps({"id": rid, **kw})
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _note(token, proto, peer):
    with _seen_lock:
        _seen[token] = [proto, peer[0], peer[1]]


def _tcp_echo(c, peer):
    """Echoes every line. A line starting with "bye" is echoed and then the server closes, so the
    TIME_WAIT state stays on the server side and the client can reuse its port at once."""
    c.settimeout(30)
    buf = b""
    try:
        while True:
            data = c.recv(4096)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                _note(line.split(b" ")[-1].decode(errors="replace"), "tcp", peer)
                c.sendall(line + b"\n")
                if line.startswith(b"bye"):
                    return
    except OSError:
        pass
    finally:
        c.close()


def _serve_tcp(s):
    while True:
        try:
            c, peer = s.accept()
        except OSError:
            return
        threading.Thread(target=_tcp_echo, args=(c, peer), daemon=True).start()


def _serve_udp(s):
    while True:
        try:
            data, peer = s.recvfrom(65535)
        except OSError:
            return
        _note(data.split(b" ")[-1].decode(errors="replace"), "udp", peer)
        try:
            s.sendto(data, peer)
        except OSError:
            pass


def op_serve(req):
    with _serve_lock:
        return _serve(req)


def _serve(req):
    key = (req["proto"], req["port"])
    if key not in _servers:
        kind = socket.SOCK_STREAM if req["proto"] == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", req["port"]))
        if req["proto"] == "tcp":
            s.listen(128)
            threading.Thread(target=_serve_tcp, args=(s,), daemon=True).start()
        else:
            threading.Thread(target=_serve_udp, args=(s,), daemon=True).start()
        _servers[key] = s
    return {"ok": True}


def _client_socket(kind, sport):
    s = socket.socket(socket.AF_INET, kind)
    if sport:
        # Several exchanges may leave from 49152 at once (to different destinations): each
        # socket is connected, so the kernel tells them apart by the whole 4-tuple.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", sport))
    return s


def _read_line(s, deadline):
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        s.settimeout(left)
        data = s.recv(4096)
        if not data:
            raise ConnectionError("closed by the peer")
        buf += data
    return buf.split(b"\n", 1)[0]


def _abort(s):
    """Closes with an RST: a failed exchange leaves no TIME_WAIT on the client's port, so the
    same 5-tuple can be tried again at once."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def op_tcp(req):
    """Connects (timeout seconds), sends "bye <token>", expects it echoed and the server to
    close. delivered: the whole exchange worked."""
    t0 = time.monotonic()
    s = _client_socket(socket.SOCK_STREAM, req.get("sport"))
    try:
        s.settimeout(req["timeout"])
        try:
            s.connect((req["dst"], req["port"]))
        except OSError as e:
            return {"delivered": False, "stage": "connect", "error": str(e) or type(e).__name__,
                    "ms": (time.monotonic() - t0) * 1000}
        line = f"bye {req['token']}".encode()
        s.sendall(line + b"\n")
        try:
            got = _read_line(s, time.monotonic() + req["timeout"])
        except OSError as e:
            _abort(s)
            return {"delivered": False, "stage": "echo", "error": str(e) or type(e).__name__,
                    "ms": (time.monotonic() - t0) * 1000}
        if got != line:
            _abort(s)
        else:
            # The server closes first (see _tcp_echo): wait for its FIN before closing.
            try:
                s.settimeout(req["timeout"])
                while s.recv(4096):
                    pass
            except OSError:
                _abort(s)
        return {"delivered": got == line, "stage": "done", "error": None if got == line else
                f"echoed {got!r}", "ms": (time.monotonic() - t0) * 1000}
    finally:
        s.close()


def op_udp(req):
    t0 = time.monotonic()
    s = _client_socket(socket.SOCK_DGRAM, req.get("sport"))
    try:
        s.connect((req["dst"], req["port"]))
        data = f"hello {req['token']}".encode()
        s.send(data)
        s.settimeout(req["timeout"])
        try:
            got = s.recv(65535)
        except OSError as e:
            return {"delivered": False, "stage": "reply", "error": str(e) or type(e).__name__,
                    "ms": (time.monotonic() - t0) * 1000}
        return {"delivered": got == data, "stage": "done",
                "error": None if got == data else f"echoed {got!r}",
                "ms": (time.monotonic() - t0) * 1000}
    finally:
        s.close()


def op_open(req):
    """A long-lived connection named req["name"] (kernel-chosen source port)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(req["timeout"])
    try:
        s.connect((req["dst"], req["port"]))
    except OSError as e:
        s.close()
        return {"ok": False, "error": str(e) or type(e).__name__}
    _conns[req["name"]] = s
    return {"ok": True, "sport": s.getsockname()[1]}


def op_send(req):
    """One line on an open connection; ok if it comes back within timeout seconds. A line that
    does not come back stays queued in the kernel (TCP retransmits it): after a failed send the
    connection is only good for closing."""
    s = _conns[req["name"]]
    line = f"line {req['token']}".encode()
    t0 = time.monotonic()
    try:
        s.sendall(line + b"\n")
        got = _read_line(s, t0 + req["timeout"])
    except OSError as e:
        return {"ok": False, "error": str(e) or type(e).__name__,
                "ms": (time.monotonic() - t0) * 1000}
    return {"ok": got == line, "error": None if got == line else f"echoed {got!r}",
            "ms": (time.monotonic() - t0) * 1000}


def op_close(req):
    s = _conns.pop(req["name"], None)
    if s:
        s.close()
    return {"ok": True}


def op_seen(req):
    with _seen_lock:
        return {"seen": _seen.get(req["token"])}


_sniffed = {}  # "src>dst" -> IPv4 packets received (not sent) on any interface
_sniff_lock = threading.Lock()
_sniffing = []


def _sniff(s):
    while True:
        try:
            frame, addr = s.recvfrom(65535)
        except OSError:
            return
        # addr[2] is the packet type: PACKET_OUTGOING (4) is our own transmission.
        if addr[2] == socket.PACKET_OUTGOING or len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        key = socket.inet_ntoa(frame[26:30]) + ">" + socket.inet_ntoa(frame[30:34])
        with _sniff_lock:
            _sniffed[key] = _sniffed.get(key, 0) + 1


def op_sniff(req):
    """Starts counting the IPv4 packets this instance receives, by source and destination (an
    appliance sees which flows it forwards, in which direction)."""
    with _sniff_lock:
        if not _sniffing:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
            _sniffing.append(s)
            threading.Thread(target=_sniff, args=(s,), daemon=True).start()
    return {"ok": True}


def op_sniffed(req):
    """The counts since the last call (and starts over)."""
    time.sleep(0.05)  # let the capture thread drain what the kernel has queued
    with _sniff_lock:
        got = dict(_sniffed)
        _sniffed.clear()
    return {"counts": got}


def op_snmp(req):
    """The namespace's IPv4 counters (/proc/net is the reading process's namespace)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Ip:")]
    return {"ip": dict(zip(rows[0][1:], (int(v) for v in rows[1][1:])))}


OPS = {"serve": op_serve, "tcp": op_tcp, "udp": op_udp, "open": op_open, "send": op_send,
       "close": op_close, "seen": op_seen, "snmp": op_snmp, "sniff": op_sniff,
       "sniffed": op_sniffed}


def _run(req):
    try:
        _reply(req["id"], **OPS[req["op"]](req))
    except Exception as e:  # the suite shows it; the agent keeps serving
        _reply(req["id"], fail=f"{type(e).__name__}: {e}")


def main():
    _reply(0, ready=True)
    for line in sys.stdin:
        req = json.loads(line)
        threading.Thread(target=_run, args=(req,), daemon=True).start()


if __name__ == "__main__":
    main()
