"""``xiaoqi plugins``: the loaded plugins, their versions and hooks; ``--hooks`` lists every hookspec."""

from __future__ import annotations

import click

from ..cli import command, emit_json, format_option, option
from ..i18n import catalogue, t

catalogue(
    {
        "plugins.builtin": ("内置", "built-in"),
        "plugins.external": ("第三方", "third-party"),
        "plugins.header": ("已加载 {n} 个插件：", "{n} plugins loaded:"),
        "plugins.hooks_header": ("{n} 个插件钩子：", "{n} plugin hooks:"),
    }
)


def hookspec_summaries() -> list[dict]:
    """Every hookspec — the core's and those plugins add with ``xiaoqi_addhooks`` — with its
    arguments and the first paragraph of its docstring."""
    import inspect

    from ..plugins import get_plugin_manager

    out = []
    for name, caller in sorted(vars(get_plugin_manager().hook).items()):
        spec = getattr(caller, "spec", None)
        if name.startswith("xiaoqi_") and spec is not None:
            # the first paragraph, whole: a summary cut at the end of a source line stops mid-sentence
            summary = " ".join((inspect.getdoc(spec.function) or "").split("\n\n")[0].split())
            out.append({"name": name, "arguments": list(spec.argnames), "summary": summary})
    return out


@command("plugins")
@format_option
@option("--hooks", is_flag=True, help=("列出全部钩子", "list every hookspec instead"))
def plugins_command(fmt, hooks):
    from ..plugins import plugin_infos

    if hooks:
        specs = hookspec_summaries()
        if fmt == "json":
            emit_json(specs)
            return
        click.echo(t("plugins.hooks_header", n=len(specs)))
        for spec in specs:
            click.echo(f"  {spec['name']}({', '.join(spec['arguments'])})")
            click.echo(f"      {spec['summary']}")
        return
    infos = plugin_infos()
    if fmt == "json":
        emit_json([i.as_dict() for i in infos])
        return
    click.echo(t("plugins.header", n=len(infos)))
    for info in infos:
        origin = t("plugins.builtin") if info.builtin else t("plugins.external")
        click.echo(f"  {info.name} {info.version or '-'} [{origin}]")
        click.echo(f"      {', '.join(info.hooks) or '-'}")
