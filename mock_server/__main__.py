"""``python -m mock_server`` is the ``cartesia-fake`` command."""

from mock_server.cli.main import main

raise SystemExit(main())
