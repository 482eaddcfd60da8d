import subprocess
import sys

from workbench import cli


def test_help_lists_every_command(capsys):
    code = cli.main([])
    out = capsys.readouterr().out
    assert code == 2
    for command in cli.COMMANDS:
        assert command in out


def test_workbench_errors_become_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{tmp_path / 'none.duckdb'}")
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "quality"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no warehouse at" in result.stderr and "Traceback" not in result.stderr
