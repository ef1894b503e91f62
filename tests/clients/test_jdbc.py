"""The JDBC suite (jdbc/NpsJdbc.java) with the PostgreSQL JDBC driver of Debian's
libpostgresql-jdbc-java (42.5.5, what Metabase, DBeaver and Tableau's JDBC connector bundle a
version of), over TCP to the test cluster (forward.py). The program is compiled once into the
state directory and again only when its source changes. Last line: "jdbc: N passed, M failed".
"""
import hashlib
import os
import pathlib
import subprocess
import sys

import forward

HERE = pathlib.Path(__file__).resolve().parent
JAR = "/usr/share/java/postgresql.jar"


def compiled(sources, name):
    """The directory holding the classes of `sources`, compiled when their text changed."""
    state = subprocess.run([str(HERE.parents[1] / "scripts" / "state_dir.sh")], capture_output=True,
                           text=True, check=True).stdout.strip()
    digest = hashlib.sha256(b"".join(pathlib.Path(s).read_bytes() for s in sources)).hexdigest()[:16]
    out = pathlib.Path(state) / f"clients-java-{name}-{digest}"
    if not (out / "done").exists():
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run(["javac", "-encoding", "UTF-8", "-cp", JAR, "-d", str(out), *map(str, sources)], check=True)
        (out / "done").write_text("")
    return out


def main():
    port = forward.listen(os.environ["PGHOST"], os.environ["PGPORT"])
    classes = compiled([HERE / "jdbc" / "NpsJdbc.java"], "suite")
    run = subprocess.run(["java", "-cp", f"{JAR}:{classes}", "NpsJdbc", f"jdbc:postgresql://127.0.0.1:{port}/",
                          "nps_clients_jdbc", str(HERE / "drivers.sql")])
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
