"""A real single-node SLURM (munge, slurmctld, slurmd) on localhost for the cluster tests.

Needs root: installs the Debian packages when missing (apt-get, idempotent), writes
/etc/slurm/slurm.conf (the executor plugin removes SLURM_CONF from its job steps, so the default
path is the only one that works), and starts the daemons in the foreground as child processes so
they can be stopped by PID. The configuration uses no cgroups (works in a container): process
tracking by /proc, no task plugin, no accounting (status queries go through squeue).

Manual use (as root): ``python tests/cluster/local_slurm.py start --state-dir /tmp/slurm`` keeps
the cluster running until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# written by hurtig tests/cluster/local_slurm.py"
PACKAGES = ("slurm-wlm", "munge")
BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "scontrol", "srun")
MUNGE_SOCKET = Path("/run/munge/munge.socket.2")


class ClusterError(RuntimeError):
    """The local SLURM could not be installed or started."""


@dataclass
class LocalSlurm:
    """A running local SLURM; ``stop()`` ends exactly the daemons ``start()`` started."""

    state_dir: Path
    partition: str = "hurtig"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    wrote_conf: bool = False

    def start(self) -> None:
        """Install if needed, write the config, start munged (if none runs), slurmctld, slurmd."""
        if os.geteuid() != 0:
            raise ClusterError("the local SLURM needs root (apt-get, /etc/slurm, daemons)")
        install()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._write_conf()
        if not _munge_works():
            self._start_munged()
        self._spawn("slurmctld", ["slurmctld", "-D", "-i"])
        _wait_for(lambda: _ok(["scontrol", "ping"]), 30, "slurmctld did not answer scontrol ping")
        self._spawn("slurmd", ["slurmd", "-D"])
        _wait_for(self._node_idle, 60, "the node did not become idle (sinfo)")

    def stop(self) -> None:
        """Terminate the daemons this object started (by PID) and remove the config it wrote."""
        for name in ("slurmd", "slurmctld", "munged"):
            proc = self.processes.pop(name, None)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.wrote_conf and CONF.is_file() and MARKER in CONF.read_text():
            CONF.unlink()
        self.wrote_conf = False

    def _write_conf(self) -> None:
        if CONF.exists() and MARKER not in CONF.read_text():
            raise ClusterError(f"{CONF} exists and is not ours: refusing to overwrite it")
        if _ok(["scontrol", "ping"]) and not self.processes:
            raise ClusterError("a slurmctld already answers on this machine: stop it first")
        CONF.parent.mkdir(parents=True, exist_ok=True)
        CONF.write_text(slurm_conf(self.state_dir, self.partition))
        self.wrote_conf = True

    def _start_munged(self) -> None:
        key = Path("/etc/munge/munge.key")
        if not key.is_file():
            _run(["mungekey", "--create", "--keyfile", str(key)])
            shutil.chown(key, "munge", "munge")
            key.chmod(0o400)
        MUNGE_SOCKET.parent.mkdir(parents=True, exist_ok=True)
        shutil.chown(MUNGE_SOCKET.parent, "munge", "munge")
        self._spawn("munged", ["munged", "--foreground"], user="munge")
        _wait_for(_munge_works, 20, "munged did not start (munge -n | unmunge)")

    def _spawn(self, name: str, argv: list[str], user: str | None = None) -> None:
        log = (self.state_dir / f"{name}.out").open("wb")
        self.processes[name] = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
        time.sleep(0.5)
        if self.processes[name].poll() is not None:
            raise ClusterError(f"{name} exited at start: see {self.state_dir / f'{name}.out'}")

    def _node_idle(self) -> bool:
        out = _out(["sinfo", "-h", "-p", self.partition, "-o", "%t"])
        return out.strip() in {"idle", "mix", "alloc"}


def install() -> None:
    """apt-get install SLURM and munge when one of their programs is missing."""
    if all(shutil.which(b) for b in BINARIES):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-qq"], env=env)
    _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], env=env)
    missing = [b for b in BINARIES if not shutil.which(b)]
    if missing:
        raise ClusterError(f"installed {' '.join(PACKAGES)} but still missing: {missing}")


def node_resources() -> tuple[int, int]:
    """This machine's CPU count and memory in MB (what slurmd will report)."""
    cpus = os.cpu_count() or 1
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_mb = int(meminfo[meminfo.index("MemTotal:") + 1]) // 1024
    return cpus, mem_mb


def slurm_conf(state_dir: Path, partition: str) -> str:
    """A cgroup-free single-node configuration for this host's real name, CPUs and memory."""
    host = socket.gethostname().split(".")[0]
    cpus, mem_mb = node_resources()
    return f"""{MARKER}
ClusterName=hurtigtest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={state_dir}/ctld
SlurmdSpoolDir={state_dir}/d
SlurmctldPidFile={state_dir}/slurmctld.pid
SlurmdPidFile={state_dir}/slurmd.pid
SlurmctldLogFile={state_dir}/slurmctld.log
SlurmdLogFile={state_dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName={host} CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN
PartitionName={partition} Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise ClusterError(f"{' '.join(argv)} failed: {result.stderr.strip()[-800:]}")


def _ok(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=15, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _out(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _munge_works() -> bool:
    if not MUNGE_SOCKET.exists():
        return False
    cred = subprocess.run(["munge", "-n"], capture_output=True, check=False)
    if cred.returncode != 0:
        return False
    check = subprocess.run(["unmunge"], input=cred.stdout, capture_output=True, check=False)
    return check.returncode == 0


def _wait_for(predicate: Callable[[], bool], seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise ClusterError(message)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """CLI: start a local SLURM and keep it running until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start"])
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args()
    cluster = LocalSlurm(args.state_dir)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        cluster.start()
        print(f"SLURM running (partition {cluster.partition}); Ctrl-C stops it", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
