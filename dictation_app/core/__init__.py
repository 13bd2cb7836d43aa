"""The application's services, shared by every front end (window, CLI, later tray,
shortcut and control socket): options from settings, the dictation service, the file queue.
No Qt: a front end passes a ``post`` function that runs a callable on its own thread."""
