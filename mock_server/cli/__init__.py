"""The command line: ``cartesia-fake`` and its subcommands."""

from mock_server.cli.main import main

__all__ = ["main"]
