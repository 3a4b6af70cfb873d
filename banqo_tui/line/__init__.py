"""Line mode: every area of BanqO as ``banqo`` subcommands that print plain lines (or JSON), and ``banqo shell``.

``grammar`` declares the commands (light: the main parser imports it before anything heavy); ``session`` holds
the connection, the credentials and the errors; one module per area runs its commands; ``shell`` reads them line
by line. ``banqo_tui.line_mode`` is the entry point and documents the exit codes.
"""
