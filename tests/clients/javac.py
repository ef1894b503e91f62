"""Java programs of the client tests, compiled once into the state directory against the JDBC
driver of Debian's libpostgresql-jdbc-java, and again only when their source changes."""
import hashlib
import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
JAR = "/usr/share/java/postgresql.jar"


def compiled(sources, name):
    """The directory holding the classes of `sources` (paths)."""
    state = subprocess.run([str(ROOT / "scripts" / "state_dir.sh")], capture_output=True, text=True,
                           check=True).stdout.strip()
    digest = hashlib.sha256(b"".join(pathlib.Path(s).read_bytes() for s in sources)).hexdigest()[:16]
    out = pathlib.Path(state) / f"clients-java-{name}-{digest}"
    if not (out / "done").exists():
        for old in out.parent.glob(f"clients-java-{name}-*"):  # earlier versions' classes
            shutil.rmtree(old)
        out.mkdir(parents=True)
        subprocess.run(["javac", "-encoding", "UTF-8", "-cp", JAR, "-d", str(out), *map(str, sources)], check=True)
        (out / "done").write_text("")
    return out


def run(classes, main, *args):
    return subprocess.run(["java", "-cp", f"{JAR}:{classes}", main, *args], capture_output=True, text=True)
