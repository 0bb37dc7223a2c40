"""orbit_ports: blocks of loopback ports for local deployments, shared by
the tests (orbit_testlib) and the benchmarks (bench/bench_deploy.py), so
that a benchmark run beside a test run never takes a test's ports."""
import fcntl
import os
import random
import socket
import tempfile

# The deployment store: sqlite (one file) or etcd (a local three-member
# cluster, which takes ports of its own). ctest runs the integration
# suite on both.
STORE = os.environ.get("ORBIT_TEST_STORE", "sqlite")


def demo_ports(count):
    """Offsets from the base port that a deployment of count pools uses:
    the pools, their SIP edges (UDP and TCP, see sip_ports), and with etcd
    its members' client and peer ports (see tools/demo_etcd.c)."""
    ports = list(range(1, count + 1)) + sip_ports(count)
    if STORE == "etcd":
        ports += [81, 82, 83, 91, 92, 93]
    return ports


def sip_ports(count):
    """Offsets of the pools' SIP edges: pool K on P+100+K."""
    return [100 + k for k in range(1, count + 1)]


# Deployments of tests running side by side (ctest -j) each take a block of
# PORT_BLOCK ports between 20000 and 32000, below Linux's ephemeral ports
# (32768 up) so that no outgoing connection takes one of them. A block is
# held by an flock on a file named after it: checking that ports are free
# is not enough, since a test that restarts a pool leaves its ports free
# for a moment and another test could take them then. The kernel drops the
# lock when the holder exits, however it exits.
PORT_BLOCK = 200
PORT_LOCK_DIR = os.path.join(tempfile.gettempdir(), "orbit-test-ports")


class PortBlock:
    """PORT_BLOCK ports from .base, held until release()."""

    def __init__(self, base, lock_file):
        self.base = base
        self._lock = lock_file

    def release(self):
        if self._lock:
            self._lock.close()
            self._lock = None


def ports_free(base, offsets, udp_offsets):
    socks = []
    try:
        for k in offsets:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", base + k))
            socks.append(s)
        for k in udp_offsets:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", base + k))
            socks.append(s)
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def reserve_port_block(count):
    """A PortBlock whose ports a deployment of count pools uses
    (base + demo_ports(count)) are free and taken by no other test."""
    os.makedirs(PORT_LOCK_DIR, exist_ok=True)
    blocks = list(range(20000 // PORT_BLOCK, 32000 // PORT_BLOCK))
    random.shuffle(blocks)
    for b in blocks:
        base = b * PORT_BLOCK
        f = open(os.path.join(PORT_LOCK_DIR, f"{base}.lock"), "w")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        if ports_free(base, demo_ports(count), sip_ports(count)):
            return PortBlock(base, f)
        f.close()
    raise RuntimeError("no free block of ports")


