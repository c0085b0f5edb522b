"""An emulator of the DataArts Factory V1 API (and a loopback OBS bucket endpoint).

`app.EmulatorApp` is a WSGI app over an `state.EmulatorState`; `server` runs it on a threaded
socket server; `testing.running_emulator` runs one in a background thread for tests;
`command.app` is the `jobsync emulator serve` command. Every workspace change goes through
`jobsync.backends.document.WorkspaceDocument`, so the emulator and the local backend enforce
the same rules. docs/emulator.md describes the state, the error codes and the options.
"""
