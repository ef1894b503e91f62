"""The JDBC suite (jdbc/NpsJdbc.java) with the PostgreSQL JDBC driver of Debian's
libpostgresql-jdbc-java (42.5.5; Metabase, DBeaver and Tableau bundle versions of it), over TCP
to the test cluster (forward.py). Last line: "jdbc: N passed, M failed".
"""
import os
import pathlib
import sys

import forward
import javac

HERE = pathlib.Path(__file__).resolve().parent


def main():
    port = forward.listen(os.environ["PGHOST"], os.environ["PGPORT"])
    classes = javac.compiled([HERE / "jdbc" / "NpsJdbc.java"], "suite")
    run = javac.run(classes, "NpsJdbc", f"jdbc:postgresql://127.0.0.1:{port}/", "nps_clients_jdbc", str(HERE / "drivers.sql"))
    print(run.stdout + run.stderr, end="")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
