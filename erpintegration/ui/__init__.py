"""The server-rendered UI of the hub: login, organisation switching, role checks, tokens and members."""
