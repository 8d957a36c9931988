"""Run the qi-report command line: ``python generate.py --help``."""

from qi_report.cli import main

if __name__ == "__main__":
    main()
