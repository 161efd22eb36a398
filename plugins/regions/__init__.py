"""Regional rule plugins, built only on public hooks: worked examples for plugin authors."""
