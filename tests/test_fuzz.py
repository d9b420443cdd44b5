"""Run the hypothesis properties of fuzz_properties.py in a child pytest under a memory limit.

The child may use at most ``ADDRESS_SPACE`` bytes of address space (numba, numpy and the test data fit in a
third of it): a file that made w2v allocate without bound fails with MemoryError inside the child, and a
crash (a signal) ends the child; either fails this test instead of exhausting the machine.
"""
import os
import resource
import subprocess
import sys
from pathlib import Path

ADDRESS_SPACE = 1536 << 20  # 1.5 GiB
HERE = Path(__file__).resolve().parent


def test_hostile_files_never_crash_leak_memory_or_raise_tracebacks(tmp_path):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    work = tmp_path / "fuzz"
    code = ("import sys, fuzz_properties, pathlib, pytest; fuzz_properties.WORK = pathlib.Path(sys.argv[1]); "
            "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '--rootdir', sys.argv[2], sys.argv[3]]))")
    r = subprocess.run([sys.executable, "-c", code, str(work), str(HERE), str(HERE / "fuzz_properties.py")],
                       capture_output=True, text=True, timeout=900, preexec_fn=limit, cwd=HERE,
                       env={**os.environ, "PYTHONPATH": str(HERE)})
    assert r.returncode == 0, (r.returncode, r.stdout[-6000:], r.stderr[-3000:])
    assert "2 passed" in r.stdout
