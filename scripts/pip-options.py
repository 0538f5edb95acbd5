"""Print every option `pip install` accepts, in the notation of the table in src/pipoptions.ts.

Run it by hand with the interpreter of the pip to compare against, e.g.
    .venv/bin/python scripts/pip-options.py
One line per option: its spellings as pip's help lists them (short first), and a trailing `=` when the
option takes a value. Every line printed must appear, category aside, in src/pipoptions.ts; a line that does
not is an option the table lacks (it is then treated as 'outcome' until it is added to a category).
"""

from pip import __version__
from pip._internal.commands import create_command


def main() -> None:
    parser = create_command("install").parser
    print(f"# pip {__version__}")
    # _get_all_options: the general options and the install options; sorted by the first long name
    options = sorted(parser._get_all_options(), key=lambda o: o._long_opts[0])
    for option in options:
        spellings = " ".join(option._short_opts + option._long_opts)
        print(spellings + ("=" if option.takes_value() else ""))


if __name__ == "__main__":
    main()
