"""A real OpenSSH server for the drop-folder tests: sshd on 127.0.0.1, SFTP only, one drop folder.

The server gets its own config, a temporary host key and a temporary user key; it listens on a
free loopback port, allows only the current user, by key, and forces ``internal-sftp`` started in
the drop folder (no shell, no forwarding). sshd must be started by absolute path, needs
/run/sshd when run as root, and refuses a host key that others can read: all handled here.
The fixture skips, saying why, when sshd, ssh-keygen or paramiko is missing, and stops the server
at the end of the session.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
START_TIMEOUT = 20.0

CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {base}/sshd.pid
AuthorizedKeysFile {base}/authorized_keys
# The key files live under /tmp, which is world-writable: StrictModes would refuse them.
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers {user}
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
Subsystem sftp internal-sftp -d {drop}
ForceCommand internal-sftp -d {drop}
LogLevel VERBOSE
"""


@dataclass
class SftpServer:
    """Where the server listens and how to log in; ``drop`` is the folder SFTP sessions start in."""

    port: int
    user: str
    key_file: Path
    host_key_file: Path
    drop: Path
    log_file: Path

    def connect(self):  # -> paramiko.SFTPClient (paramiko is imported lazily: it may be missing)
        """An SFTP session as the test user; the host key is checked against the server's."""
        import paramiko

        client = paramiko.SSHClient()
        host_key = paramiko.Ed25519Key(filename=str(self.host_key_file))
        client.get_host_keys().add(f"[127.0.0.1]:{self.port}", host_key.get_name(), host_key)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(
            "127.0.0.1",
            port=self.port,
            username=self.user,
            key_filename=str(self.key_file),
            look_for_keys=False,
            allow_agent=False,
            timeout=10,
        )
        sftp = client.open_sftp()
        sftp._scrubber_client = client  # keep the SSH client alive as long as the SFTP session
        return sftp


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "scrubber-test", "-f", str(path)], check=True)


def _wait_for_banner(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            if conn.recv(4).startswith(b"SSH-"):
                return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SftpServer]:
    sshd = next((path for path in SSHD_CANDIDATES if os.access(path, os.X_OK)), None)
    if sshd is None:
        pytest.skip("OpenSSH server is not installed (Debian: apt-get install openssh-server)")
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (Debian: apt-get install openssh-client)")
    pytest.importorskip("paramiko", reason="the SFTP client paramiko is not installed (pip install -e '.[test]')")
    base = tmp_path_factory.mktemp("sshd")
    drop = base / "drop"
    drop.mkdir()
    _keygen(base / "host_key")
    _keygen(base / "user_key")
    shutil.copy(base / "user_key.pub", base / "authorized_keys")
    (base / "authorized_keys").chmod(0o600)
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    user = getpass.getuser()
    log_file = base / "sshd.log"
    process = None
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = _free_port()
        config = base / "sshd_config"
        config.write_text(CONFIG.format(port=port, host_key=base / "host_key", base=base, user=user, drop=drop))
        with log_file.open("ab") as log:
            process = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        if _wait_for_banner(port, process):
            break
        process.kill()
        process.wait()
        process = None
    if process is None:
        message = f"sshd did not start; its log says: {log_file.read_text()[-2000:]}"
        if os.geteuid() != 0:
            pytest.skip(f"not root and {message}")
        pytest.fail(message)
    try:
        yield SftpServer(port, user, base / "user_key", base / "host_key", drop, log_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
