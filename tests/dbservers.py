"""Real PostgreSQL (with a pgBackRest stanza) and MariaDB servers for the tests, started once
per session on 127.0.0.1 as an unprivileged user (both refuse to run as root), their data and
sockets in a temporary directory, stopped in a finalizer. Binaries missing: skipped locally,
a failure under CI=true (.ci/run installs them)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

RUN_AS = "nobody"
START_TIMEOUT_S = 60


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not installed; .ci/run must apt-get install it")
    pytest.skip(f"{what} not installed (apt-get install it to run this test)")


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        _missing("postgresql (initdb)")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(command: list[str]) -> list[str]:
    """Run as RUN_AS when we are root (the servers refuse root); as ourselves otherwise."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", RUN_AS, "--"] + command


def user_env(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def give_to_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        for item in [path, *path.rglob("*")]:
            os.chown(item, entry.pw_uid, entry.pw_gid)


def run(command: list[str], env: dict, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stderr[-2000:]}{result.stdout[-1000:]}")
    return result


def wait_for_port(port: int, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class PostgresServer:
    bin: Path
    root: Path
    data: Path
    port: int
    log: Path
    pgbackrest_conf: Path | None
    stanza: str = "main"

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    @property
    def env(self) -> dict[str, str]:
        return user_env(self.root)

    def psql(self, sql: str, database: str = "postgres", timeout: float = 120) -> str:
        result = run([str(self.bin / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(database), "-c", sql],
                     self.env, timeout=timeout)
        return result.stdout.strip()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def pgbackrest(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        assert self.pgbackrest_conf is not None
        return run(as_user(["pgbackrest", f"--config={self.pgbackrest_conf}", f"--stanza={self.stanza}", *args]),
                   self.env, timeout=timeout)

    def stop(self) -> None:
        run(as_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop"]),
            self.env, check=False, timeout=60)


def start_postgres(archive: bool = True) -> PostgresServer:
    """initdb + pg_ctl start (log_statement=all, WAL archived by pgBackRest when it is installed and
    `archive`; the benchmark starts one without)."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="drscan-pg-"))
    root.chmod(0o755)
    data, sockets, repo, logs = root / "data", root / "sock", root / "repo", root / "pgbackrest-log"
    for d in (sockets, repo, logs):
        d.mkdir()
    has_pgbackrest = archive and shutil.which("pgbackrest") is not None
    conf = root / "pgbackrest.conf" if has_pgbackrest else None
    port = free_port()
    if conf:
        conf.write_text(f"[global]\nrepo1-path={repo}\nlog-path={logs}\nlock-path={root / 'lock'}\nspool-path={root / 'spool'}\nstart-fast=y\n"
                        f"repo1-retention-full=2\nlog-level-console=warn\n\n[main]\npg1-path={data}\npg1-port={port}\n"
                        f"pg1-socket-path={sockets}\npg1-user=postgres\n")
    give_to_user(root)
    env = user_env(root)
    run(as_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]), env)
    settings = [f"port = {port}", "listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{sockets}'",
                "log_statement = 'all'", "fsync = off", "max_wal_senders = 2", "wal_level = replica",
                "shared_buffers = 32MB", "log_line_prefix = '%m [%p] app=%a '"]
    if conf:
        settings += ["archive_mode = on",
                     f"archive_command = 'pgbackrest --config={conf} --stanza=main archive-push %p'"]
    with (data / "postgresql.conf").open("a") as handle:
        handle.write("\n".join(settings) + "\n")
    log = root / "postgres.log"
    give_to_user(root)
    run(as_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT_S), "start"]), env,
        timeout=START_TIMEOUT_S + 10)
    wait_for_port(port)
    return PostgresServer(bin=bin_dir, root=root, data=data, port=port, log=log, pgbackrest_conf=conf)


@dataclass
class MariadbServer:
    root: Path
    port: int
    socket_path: Path
    general_log: Path
    process: subprocess.Popen

    def dsn(self, database: str = "", user: str = "root") -> str:
        return f"mysql://{user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str | None = None) -> str:
        command = ["mariadb", f"--socket={self.socket_path}", "-u", "root", "-N", "-B", "-e", statement]
        if database:
            command.insert(1, f"--database={database}")
        return run(command, user_env(self.root)).stdout.strip()

    def general_log_text(self) -> str:
        return self.general_log.read_text(errors="replace") if self.general_log.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_mariadb() -> MariadbServer:
    server_binary = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
    install = shutil.which("mariadb-install-db")
    if not server_binary or not install or not shutil.which("mariadb"):
        _missing("mariadb-server (mariadbd, mariadb-install-db)")
    root = Path(tempfile.mkdtemp(prefix="drscan-mariadb-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    give_to_user(root)
    env = user_env(root)
    user = [f"--user={RUN_AS}"] if os.geteuid() == 0 else []
    run(as_user([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
                 "--skip-test-db", "--skip-name-resolve"] + user), env, timeout=180)
    port, sock, general = free_port(), root / "mariadb.sock", root / "general.log"
    process = subprocess.Popen(as_user([server_binary, "--no-defaults", f"--datadir={data}", f"--port={port}",
                                        "--bind-address=127.0.0.1", f"--socket={sock}", f"--pid-file={root / 'mariadb.pid'}",
                                        "--skip-name-resolve", "--general-log=1", f"--general-log-file={general}",
                                        "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
                                        "--skip-log-bin", f"--log-error={root / 'error.log'}"] + user),
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        raise RuntimeError("mariadbd did not start: " + (root / "error.log").read_text(errors="replace")[-2000:]) from None
    server = MariadbServer(root=root, port=port, socket_path=sock, general_log=general, process=process)
    try:
        _create_users(server)
    except BaseException:
        server.stop()
        raise
    return server


def _create_users(server: MariadbServer) -> None:
    # root@localhost is for the socket only; tests and drscan connect over TCP as these users.
    server.sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; "
               "CREATE USER IF NOT EXISTS 'auditor'@'127.0.0.1'; GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO 'auditor'@'127.0.0.1'; "
               "CREATE USER IF NOT EXISTS 'nobody'@'127.0.0.1'")


@pytest.fixture(scope="session")
def postgres_server():
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pgbackrest_stanza(postgres_server):
    """A real stanza with one full backup of the session cluster; yields the info JSON text."""
    if postgres_server.pgbackrest_conf is None:
        _missing("pgbackrest")
    postgres_server.psql("CREATE TABLE IF NOT EXISTS orders (id int primary key, total numeric); "
                         "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING")
    postgres_server.pgbackrest("stanza-create")
    postgres_server.pgbackrest("--type=full", "backup", timeout=300)
    return postgres_server.pgbackrest("--output=json", "info").stdout


@pytest.fixture(scope="session")
def mariadb_server():
    server = start_mariadb()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
