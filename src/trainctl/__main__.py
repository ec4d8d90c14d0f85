"""`python -m trainctl`, and the `trainctl` script (pyproject: trainctl.__main__:run)."""

import sys


def run() -> None:
    """The command line. Ctrl-C while Python is still loading trainctl (its first fifth of a
    second: nothing is open yet) ends it as Ctrl-C inside a command does, exit 130 and one
    line, not a traceback of whichever import it landed in."""
    try:
        from trainctl.cli.main import main

        main()
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    run()
