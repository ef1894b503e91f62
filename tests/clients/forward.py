"""A TCP port on 127.0.0.1 that forwards to the test cluster's Unix socket.

The project's clusters listen only on Unix sockets (scripts/cluster.sh); the JDBC driver speaks
TCP alone. Bytes pass through unchanged, so the driver talks to the server exactly as over a
network. listen(host_dir, port) returns the TCP port, chosen by the kernel (no clash with the
other test layers), served by daemon threads for as long as the process runs.
"""
import os
import socket
import threading


def _pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def listen(host_dir, port):
    path = os.path.join(host_dir, f".s.PGSQL.{port}")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(32)

    def accept():
        while True:
            client, _ = server.accept()
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(path)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]
