"""``complaints analyse``: the contract command showing what the assistant understands of text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.cases.store import Store
from bot.catalogue.importer import import_catalogue
from bot.cli import main

CATALOGUE = """sku,name,line,category,materials,colours,sizes
ZZ-TR-77,Zephyr Trail Runner,Zephyr,trainers,mesh;rubber,black;volt green,UK 6;UK 7;UK 8
"""


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_analyse_text_json_names_every_contract_field(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "catalogue.csv"
    csv.write_text(CATALOGUE)
    import_catalogue(store, csv)
    text = "the sole of my volt green zephyr trail runner is peeling off, size 7, bought 2 weeks ago"
    assert main(["analyse", text, "--json"], store=store) == 0
    row = _json(capsys)
    assert isinstance(row, dict)
    assert row["defect_category"] == "sole_separation"
    assert row["component"] == "sole"
    assert row["product"] == {"sku": "ZZ-TR-77", "name": "Zephyr Trail Runner", "line": "Zephyr"}
    assert row["sku"] == "ZZ-TR-77" and row["colour"] == "volt green" and row["size"] == "UK 7"
    expected = (store.clock().date() - dt.timedelta(days=14)).isoformat()
    assert [d["date"] for d in row["dates"]] == [expected]
    assert row["order_number"] is None


def test_analyse_file_gives_one_result_per_message(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("the heel came off\n\n   \nmy parcel never arrived, order ORD-10001\n", encoding="utf-8")
    assert main(["analyse", "--file", str(messages), "--json"], store=store) == 0
    rows = _json(capsys)
    assert isinstance(rows, list) and [r["text"] for r in rows] == [
        "the heel came off",
        "my parcel never arrived, order ORD-10001",
    ]
    assert rows[0]["component"] == "heel"
    assert rows[1]["defect_category"] == "late_delivery"


def test_analyse_plain_text_and_bad_input(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", "hello", "there"], store=store) == 0
    assert "(nothing recognised)" in capsys.readouterr().out
    assert main(["analyse"], store=store) == 1
    assert "nothing to analyse" in capsys.readouterr().err
    assert main(["analyse", "--file", str(tmp_path / "missing.txt")], store=store) == 1
    assert "no such file" in capsys.readouterr().err
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("caf\xe9 heel broke".encode("latin-1"))
    assert main(["analyse", "--file", str(binary)], store=store) == 1
    assert "not UTF-8" in capsys.readouterr().err
