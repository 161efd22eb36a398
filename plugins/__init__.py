"""Built-in plugins: national rules, regional rule sets, industrial colleges, Luban Workshops,
incentives. Each is an ordinary pluggy plugin registered like a third-party one."""
