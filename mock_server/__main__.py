"""``python -m mock_server`` is the ``cartesia-fake`` command."""

from mock_server.cli import main

raise SystemExit(main())
