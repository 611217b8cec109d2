"""What bench/run is made of: the benchmark's PostgreSQL clusters, the
servers under test (nginx with and without the module, PHP-FPM, Node), the
load generators (wrk, pgbench) and the measures (RSS, percentiles).

Standard library only.  Servers run on BENCH_SERVER_CPU (0), load
generators on BENCH_CLIENT_CPU (1): two processes that never share a core.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = ROOT / "var" / "bench"
PGPORT = int(os.environ.get("BENCH_PGPORT", "5460"))
SERVER_CPU = os.environ.get("BENCH_SERVER_CPU", "0")
CLIENT_CPU = os.environ.get("BENCH_CLIENT_CPU", "1")
PGBIN = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda p: int(p.parent.name))[-1])


def say(*args):
    print("bench:", *args, flush=True)


def run(cmd, check=True, capture=False, env=None, cwd=None, **kw):
    """A command; its output captured (text) when asked."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    r = subprocess.run(cmd, check=False, cwd=cwd or ROOT, env=full_env,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None,
                       text=True, **kw)
    if check and r.returncode != 0:
        if capture:
            sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"bench: failed ({r.returncode}): {' '.join(map(str, cmd))}")
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench: nothing listens on 127.0.0.1:{port}")


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def rss_kb(pids):
    """Resident set size of these processes, summed, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def pin(pids, cpu):
    """All threads of these processes onto one core."""
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpu, str(pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def on_server(cmd):
    return ["taskset", "-c", SERVER_CPU] + list(cmd)


def on_client(cmd):
    return ["taskset", "-c", CLIENT_CPU] + list(cmd)


def cookie(k):
    """The session cookie of benchmark tenant k (bench/sql/comptes.sql)."""
    token = hashlib.sha256(f"bench-{k}".encode()).digest()
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def machine_load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- PostgreSQL ----------------------------------------------------------

class Cluster:
    """A PostgreSQL cluster of its own per size (var/bench/pg-<N>), created
    and loaded once (tools/demo-load), then reused: the database comment
    says a load finished."""

    def __init__(self, households):
        self.households = households
        self.dir = VAR / f"pg-{households}"
        self.env = {"PGHOST": "127.0.0.1", "PGPORT": str(PGPORT),
                    "PGUSER": "postgres", "PGDATABASE": "portail"}

    def data_dir(self):
        return Path(os.path.realpath(self.dir))

    def psql(self, sql, db="portail", capture=True, check=True, user="postgres"):
        r = run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                 "-U", user, "-d", db, "-c", sql],
                env=self.env, capture=capture, check=check)
        return r.stdout.strip() if capture else None

    def running(self):
        return run([str(ROOT / "tools/pgcluster"), "status", str(self.dir)],
                   check=False, capture=True).returncode == 0

    def start(self):
        VAR.mkdir(parents=True, exist_ok=True)
        # one cluster at a time on the benchmark's port
        for other in VAR.glob("pg-*"):
            if other.name != self.dir.name and not other.name.endswith(".log"):
                c = Cluster(other.name[3:])
                if c.port() == PGPORT and c.running():
                    c.stop()
        run([str(ROOT / "tools/pgcluster"), "start", str(self.dir), str(PGPORT)])
        conf = self.data_dir() / "postgresql.conf"
        if "# portail bench" not in conf.read_text():
            # pg_stat_statements counts the statements of a request (the
            # one-round-trip check); it tracks nothing during measures.
            with open(conf, "a") as f:
                f.write("# portail bench\n"
                        "shared_preload_libraries = 'pg_stat_statements'\n"
                        "pg_stat_statements.track = none\n"
                        "pg_stat_statements.max = 1000\n")
            self.stop()
            run([str(ROOT / "tools/pgcluster"), "start", str(self.dir), str(PGPORT)])

    def stop(self):
        run([str(ROOT / "tools/pgcluster"), "stop", str(self.dir)])

    def port(self):
        """The port it runs on (postmaster.pid), None when stopped."""
        try:
            with open(self.data_dir() / "postmaster.pid") as f:
                return int(f.read().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def pids(self):
        try:
            with open(self.data_dir() / "postmaster.pid") as f:
                pm = int(f.readline())
        except OSError:
            return []
        return [pm] + children(pm)

    def pin(self, cpu=None):
        pin(self.pids(), cpu or SERVER_CPU)

    def loaded(self):
        exists = self.psql("SELECT 1 FROM pg_database WHERE datname = 'portail'",
                           db="postgres")
        if exists != "1":
            return False
        note = self.psql("SELECT shobj_description(oid, 'pg_database') "
                         "FROM pg_database WHERE datname = 'portail'", db="postgres")
        return note.startswith(f"portail bench: {self.households} households")

    def load(self):
        say(f"loading {self.households} households into {self.dir} "
            "(tools/demo-load: minutes; done once, then reused)")
        t0 = time.time()
        self.psql("DROP DATABASE IF EXISTS portail WITH (FORCE)", db="postgres")
        self.psql("CREATE DATABASE portail", db="postgres")
        self.migrate()
        tmp = VAR / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        log = VAR / f"demo-load-{self.households}.log"
        with open(log, "w") as out:
            r = subprocess.run([str(ROOT / "tools/demo-load"),
                                "--households", str(self.households)],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               env=dict(os.environ, TMPDIR=str(tmp), **self.env))
        if r.returncode != 0:
            sys.stderr.write(log.read_text()[-3000:])
            raise SystemExit(f"bench: tools/demo-load failed, see {log}")
        self.psql("VACUUM ANALYZE", capture=False)
        self.psql(f"COMMENT ON DATABASE portail IS 'portail bench: "
                  f"{self.households} households, loaded {time.strftime('%Y-%m-%d')}'",
                  db="postgres")
        say(f"{self.households} households loaded in {time.time() - t0:.0f} s")

    def migrate(self):
        run([str(ROOT / "sql/migrate"),
             f"host=127.0.0.1 port={PGPORT} dbname=portail user=postgres"],
            capture=True)
        self.psql("ALTER ROLE portail_app LOGIN")

    def prepare(self, tenants):
        """Started, loaded, migrated, with tenants signed in."""
        self.start()
        if not self.loaded():
            self.load()
        self.migrate()
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        r = run(["psql", "-X", "-q", "-At", "-v", f"n={tenants}",
                 "-f", str(BENCH / "sql/comptes.sql")], env=self.env, capture=True)
        n = int(r.stdout.split()[-1])
        if n < tenants:
            raise SystemExit(f"bench: only {n} tenants could be given an account")
        self.psql("VACUUM ANALYZE portail.session, portail.compte, "
                  "portail.tentative_connexion", capture=False)
        return n

    def track_statements(self, on):
        self.psql(f"ALTER SYSTEM SET pg_stat_statements.track = "
                  f"'{'top' if on else 'none'}'")
        self.psql("SELECT pg_reload_conf()")
        time.sleep(0.5)


# --- nginx -----------------------------------------------------------------

def portal_conf(prefix, port, workers, extra_http="", pgdatabase="portail"):
    """tools/nginx-conf's configuration, as `make run` uses it, without the
    e-mail sender."""
    env = {"PORTAIL_ROOT": str(ROOT), "PORTAIL_PREFIX": str(prefix),
           "PORT": str(port), "PGPORT": str(PGPORT), "PGDATABASE": pgdatabase,
           "WORKERS": str(workers), "SMTP_PORT": str(PGPORT + 1),
           "PORTAIL_EXTRA_HTTP": extra_http}
    conf = run([str(ROOT / "tools/nginx-conf")], env=env, capture=True).stdout
    # no e-mail sender: its polling of the outbox would be counted with the
    # requests' statements and CPU time (nothing listens on its port anyway)
    return re.sub(r"(?m)^\s*portail_smtp .*\n", "", conf)


def plain_conf(portal):
    """The same configuration without the module: no load_module, no
    portail_* directive, no /api/ locations.  Same server, headers, root,
    try_files and access log."""
    out = []
    skip = 0
    for line in portal.splitlines():
        s = line.strip()
        if skip:
            skip += s.count("{") - s.count("}")
            continue
        if s.startswith("load_module") or s.startswith("portail_"):
            continue
        if re.match(r"location (/api/|@portail_erreur) \{", s):
            skip = 1
            continue
        out.append(line)
    return "\n".join(out) + "\n"


class Nginx:
    def __init__(self, name, conf):
        self.prefix = VAR / "nginx" / name
        self.conf = conf
        self.master = None

    def start(self):
        if self.prefix.exists():
            shutil.rmtree(self.prefix)
        for d in ("logs", "tmp", "conf"):
            (self.prefix / d).mkdir(parents=True)
        (self.prefix / "conf/nginx.conf").write_text(self.conf)
        run(on_server(["nginx", "-p", f"{self.prefix}/", "-c",
                       str(self.prefix / "conf/nginx.conf"),
                       "-e", str(self.prefix / "logs/error.log")]))
        pidfile = self.prefix / "logs/nginx.pid"
        deadline = time.time() + 10
        while not pidfile.exists() and time.time() < deadline:
            time.sleep(0.05)
        self.master = int(pidfile.read_text())
        time.sleep(0.3)

    def workers(self):
        # the cache manager and loader are not configured: all are workers
        return children(self.master) if self.master else []

    def rss(self):
        return rss_kb(self.workers())

    def stop(self):
        if self.master:
            stop_process(self.master)
            self.master = None

    def errors(self):
        log = self.prefix / "logs/error.log"
        if not log.exists():
            return []
        return [l for l in log.read_text(errors="replace").splitlines()
                if re.search(r"\[(alert|crit|emerg|error)\]", l)]


# --- load generators ---------------------------------------------------------

WRK_JSON = "BENCH-JSON "


def wrk(url, script, seconds, connections, threads=None, env=None, timeout=5):
    """One bounded wrk run from the client core; its summary as a dict
    (requests/s, p50/p99 in ms, errors)."""
    threads = threads or connections
    cmd = on_client(["wrk", "-t", str(threads), "-c", str(connections),
                     "-d", f"{seconds}s", "--timeout", f"{timeout}s",
                     "-s", str(script), url])
    r = run(cmd, capture=True, env=env, check=False)
    res = wrk_summary(r.stdout) if r.returncode == 0 else None
    if not res:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("bench: wrk failed")
    return res


def wrk_summary(out):
    """The line bench/wrk/report.lua writes, as a dict; None without it."""
    line = [l for l in out.splitlines() if l.startswith(WRK_JSON)]
    if not line:
        return None
    res = json.loads(line[-1][len(WRK_JSON):])
    res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
    res["p50"] = res["p50_us"] / 1000.0
    res["p99"] = res["p99_us"] / 1000.0
    res["errors"] = sum(res["errors_by"].values())
    return res


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def stop_process(pid, sig=signal.SIGQUIT, timeout=15):
    """Asks a server's master to stop, then waits; SIGKILL past timeout."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def cpu_ns(pids):
    """CPU time these processes (all their threads, user and system) have
    run, in ns, from /proc/<pid>/stat (utime + stime, in clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[0] is the state (field 3): utime and stime are 14 and 15
        total += int(fields[11]) + int(fields[12])
    return total * 1_000_000_000 // tick
