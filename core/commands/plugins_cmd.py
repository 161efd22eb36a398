"""``xiaoqi plugins``: the loaded plugins, their versions and hooks; ``--hooks`` lists every hookspec."""

from __future__ import annotations

import click

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
    """Every hookspec with its arguments and the first line of its docstring."""
    import inspect

    from .. import hookspecs

    out = []
    for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("xiaoqi_"):
            doc = (inspect.getdoc(func) or "").splitlines()
            out.append({"name": name, "arguments": list(inspect.signature(func).parameters), "summary": doc[0] if doc else ""})
    return out


def register(cli) -> None:
    from ..cli import emit_json, format_option

    @cli.command("plugins")
    @format_option
    @click.option("--hooks", is_flag=True, help="列出全部钩子 / list every hookspec instead")
    def plugins_command(fmt, hooks):
        """列出已加载的插件 / list the loaded plugins."""
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
