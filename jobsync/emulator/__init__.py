"""An emulator of the DataArts Factory V1 API (and a loopback OBS bucket endpoint).

`app.EmulatorApp` is a WSGI app over an `state.EmulatorState`; `server` runs it on a threaded
socket server; `testing.running_emulator` runs one in a background thread for tests;
`command.app` is the `jobsync emulator serve` command. Every workspace change goes through
`service.ServiceDocument`, the workspace document (backends/document.py) deciding what to
refuse from the emulator's own table of the service's documented behaviour, not from the
planner's rules: it is a witness the planner is tested against (tests/backends/test_rules_agree.py).
docs/emulator.md describes the state, the error codes and the options.
"""
