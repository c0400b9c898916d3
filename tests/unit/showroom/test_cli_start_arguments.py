"""``showroom`` alone is read by a short path; it must agree with the full parser."""

from __future__ import annotations

import pytest

from showroom.cli import build_parser, start_arguments

AGREE = [
    [],
    ["--kiosk"],
    ["--exit-after-startup", "--kiosk"],
    ["--database", "postgresql://desk@10.0.0.5/showroom"],
    ["--database=sqlite:///x.db", "--lang", "en"],
    ["--lang=zh_CN", "--kiosk", "--exit-after-startup"],
    ["--kiosk", "--kiosk"],
]


@pytest.mark.parametrize("argv", AGREE)
def test_the_short_path_reads_the_app_start_as_the_full_parser_does(argv: list[str]) -> None:
    assert start_arguments(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["demo", "--cars", "10"],
        ["--kiosk", "self-test"],
        ["--lang", "fr"],  # the full parser names the choices
        ["--lang"],
        ["--database", "--kiosk"],
        ["--kiosk=yes"],
        ["--kios"],  # argparse's prefix matching is left to argparse
    ],
)
def test_everything_else_is_left_to_the_full_parser(argv: list[str]) -> None:
    assert start_arguments(argv) is None


def test_a_wrong_language_still_gets_the_parsers_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from showroom.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "fr"])
    assert exit_.value.code == 2
    assert "zh_CN" in capsys.readouterr().err
