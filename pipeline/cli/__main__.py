"""`python -m pipeline.cli`: the `mou` command."""

from pipeline.cli.commands import main

if __name__ == "__main__":
    main()
