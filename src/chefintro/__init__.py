"""chefintro: run a yearly cross-agency introduction programme for new managers."""


def __getattr__(name: str) -> str:
    # The version is written in one place, pyproject.toml, and read from the installed
    # metadata on first use only: importlib.metadata would slow down `chefintro --help`.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("chefintro")
        except PackageNotFoundError:  # a source tree that was never installed
            value = "0+unknown"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
