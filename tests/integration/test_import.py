"""CSV imports: good files load, a bad row rejects the whole file with its line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cases.store import Store
from bot.catalogue.importer import ImportFailed, import_catalogue, import_orders

CATALOGUE = (
    "sku,name,line,category,materials,colours,sizes\n"
    "KST-HK-01,Kestrel Hiker,Kestrel,boots,nubuck;rubber,moss;slate,UK 6;UK 7;UK 8\n"
    "WHT-SA-01,Whitby Satchel,Whitby,bags,bridle leather,conker,One size\n"
)
ORDERS_HEADER = "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(store: Store) -> tuple[int, int]:
    with store.unit_of_work() as uow:
        return len(uow.catalogue.products()), len(uow.catalogue.order_numbers())


def test_catalogue_and_orders_of_any_number_format(store: Store, tmp_path: Path) -> None:
    report = import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    assert (report.created, report.updated) == (2, 0)
    orders = ORDERS_HEADER + (
        "A/2291/X,Jo Bloggs,Jo@Example.com,KST-HK-01,UK 7,moss,1,K-2026-03,2026-03-01,2026-03-04\n"
        "7734219,Jo Bloggs,jo@example.com,WHT-SA-01,One size,conker,2,W-1,2026-04-01,\n"
        "web-00012,Sam Lee,sam@example.org,kst-hk-01,UK 8,slate,1,K-2026-04,2026-04-02,2026-04-03\n"
    )
    report = import_orders(store, write(tmp_path, "o.csv", orders))
    assert (report.rows, report.created) == (3, 3)
    with store.unit_of_work() as uow:
        order = uow.catalogue.order("a/2291/x")
        assert order is not None and order.product.name == "Kestrel Hiker"
        assert order.customer.email == "jo@example.com"
        assert uow.catalogue.order("7734219").delivery_date is None  # type: ignore[union-attr]
        assert len(uow.catalogue.orders_for_email("JO@example.com")) == 2
    # importing again updates, never duplicates
    again = import_orders(store, write(tmp_path, "o.csv", orders))
    assert (again.created, again.updated) == (0, 3)
    assert counts(store) == (2, 3)


@pytest.mark.parametrize(
    "body,expected",
    [
        (
            "KST-HK-01,Kestrel Hiker,Kestrel,boots,,,\nKST-HK-01,Again,Kestrel,boots,,,\n",
            "line 3: sku KST-HK-01 already appears on line 2",
        ),
        ("KST-HK-01,,Kestrel,boots,,,\n", "line 2: name is required"),
        ("bad sku!,Thing,L,boots,,,\n", "line 2: sku 'bad sku!'"),
        ("KST-HK-01,Kestrel Hiker,Kestrel\n", "line 2: has 3 fields, expected 7"),
    ],
)
def test_bad_catalogue_rows_reject_the_file(store: Store, tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, "c.csv", "sku,name,line,category,materials,colours,sizes\n" + body)
    with pytest.raises(ImportFailed) as info:
        import_catalogue(store, path)
    assert expected in str(info.value)
    assert counts(store) == (0, 0)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", "the file is empty"),
        ("sku,name\nA,B\n", "missing column(s): line, category, materials, colours, sizes"),
        ("sku,name,line,category,materials,colours,sizes,price\n", "unknown column(s): price"),
        ("sku,name,line,category,materials,colours,sizes\n", "no products"),
    ],
)
def test_bad_catalogue_files(store: Store, tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ImportFailed, match="rejected") as info:
        import_catalogue(store, write(tmp_path, "c.csv", text))
    assert expected in str(info.value)


def test_non_utf8_and_missing_files(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku,name,line,category,materials,colours,sizes\nX1,Caf\xe9 Boot,L,boots,,,\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="not UTF-8"):
        import_catalogue(store, path)
    with pytest.raises(ImportFailed, match="cannot read"):
        import_catalogue(store, tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "row,expected",
    [
        ("ORD 1,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,B,2026-03-01,", "order_number 'ORD 1'"),
        ("ORD-1,Jo,not-an-email,KST-HK-01,UK 7,moss,1,B,2026-03-01,", "customer_email 'not-an-email'"),
        ("ORD-1,Jo,jo@example.com,NOPE-1,UK 7,moss,1,B,2026-03-01,", "sku 'NOPE-1' is not in the catalogue"),
        ("ORD-1,Jo,jo@example.com,KST-HK-01,UK 7,moss,zero,B,2026-03-01,", "quantity 'zero'"),
        ("ORD-1,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,B,01/03/2026,", "order_date '01/03/2026' is not an ISO date"),
        ("ORD-1,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,B,2026-03-05,2026-03-01", "delivery_date 2026-03-01 is before"),
        ("ORD-1,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,B,,", "order_date is required"),
        ("<script>,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,B,2026-03-01,", "order_number '<script>'"),
    ],
)
def test_a_bad_order_row_rejects_every_row(store: Store, tmp_path: Path, row: str, expected: str) -> None:
    import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    good = "GOOD-1,Al,al@example.com,KST-HK-01,UK 6,moss,1,B,2026-02-01,2026-02-03\n"
    with pytest.raises(ImportFailed) as info:
        import_orders(store, write(tmp_path, "o.csv", ORDERS_HEADER + good + row + "\n"))
    assert "line 3: " + expected in str(info.value)
    assert counts(store) == (2, 0)


def test_many_errors_are_all_reported(store: Store, tmp_path: Path) -> None:
    import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    rows = "".join(f"ORD-{i},Jo,bad,KST-HK-01,UK 7,moss,1,B,2026-03-01,\n" for i in range(5))
    with pytest.raises(ImportFailed) as info:
        import_orders(store, write(tmp_path, "o.csv", ORDERS_HEADER + rows))
    assert len(info.value.errors) == 5
    assert [e.split(":")[0] for e in info.value.errors] == [f"line {n}" for n in range(2, 7)]


# --- optional shipping columns (issue #18) ---------------------------------------------------------------

SHIPPED_HEADER = ORDERS_HEADER.rstrip("\n") + ",status,dispatch_date,expected_delivery_date,carrier,tracking_number\n"


def test_orders_with_the_optional_shipping_columns(store: Store, tmp_path: Path) -> None:
    import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    orders = SHIPPED_HEADER + (
        "S-1,Jo Bloggs,jo@example.com,KST-HK-01,UK 7,moss,1,K-1,2026-11-01,,Processing,,2026-11-06,,\n"
        "S-2,Jo Bloggs,jo@example.com,KST-HK-01,UK 7,moss,1,K-1,2026-10-28,,dispatched,2026-10-29,2026-10-31,DPD,"
        "15501234567GB\n"
        "S-3,Sam Lee,sam@example.org,WHT-SA-01,One size,conker,1,W-1,2026-10-01,2026-10-04,delivered,2026-10-02,"
        "2026-10-04,Evri,H0123\n"
    )
    assert import_orders(store, write(tmp_path, "o.csv", orders)).created == 3
    with store.unit_of_work() as uow:
        s1, s2, s3 = (uow.catalogue.order(n) for n in ("S-1", "S-2", "S-3"))
        assert s1 is not None and s2 is not None and s3 is not None
        assert (s1.status, s1.dispatch_date, s1.carrier, s1.tracking_number) == ("processing", None, None, None)
        assert s1.expected_delivery_date is not None and s1.expected_delivery_date.isoformat() == "2026-11-06"
        assert (s2.status, s2.carrier, s2.tracking_number) == ("dispatched", "DPD", "15501234567GB")
        assert s2.dispatch_date is not None and s2.dispatch_date.isoformat() == "2026-10-29"
        assert s3.status == "delivered" and s3.delivery_date is not None
    # a file without the columns still imports, and leaves what is known about each order alone
    plain = ORDERS_HEADER + "S-2,Jo Bloggs,jo@example.com,KST-HK-01,UK 8,moss,1,K-1,2026-10-28,\n"
    assert import_orders(store, write(tmp_path, "p.csv", plain)).updated == 1
    with store.unit_of_work() as uow:
        again = uow.catalogue.order("S-2")
        assert again is not None and again.size == "UK 8"
        assert (again.status, again.carrier) == ("dispatched", "DPD")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,lost,,,,", "line 3: status 'lost' must be one of"),
        ("S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,dispatched,01/11/2026,,,", "line 3: dispatch_date"),
        (
            "S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,dispatched,2026-11-02,soon,,",
            "line 3: expected_delivery_date 'soon' is not an ISO date",
        ),
        (
            "S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,dispatched,2026-10-30,,,",
            "line 3: dispatch_date 2026-10-30 is before order_date 2026-11-01",
        ),
        (
            "S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,2026-11-02,delivered,2026-11-03,,,",
            "line 3: delivery_date 2026-11-02 is before dispatch_date 2026-11-03",
        ),
        (
            "S-9,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,dispatched,2026-11-02,,DPD," + "9" * 65,
            "line 3: tracking_number is longer than 64 characters",
        ),
    ],
)
def test_bad_shipping_values_reject_the_file(store: Store, tmp_path: Path, row: str, expected: str) -> None:
    import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    good = "S-8,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,processing,,,,\n"
    with pytest.raises(ImportFailed) as failed:
        import_orders(store, write(tmp_path, "o.csv", SHIPPED_HEADER + good + row + "\n"))
    assert any(expected in error for error in failed.value.errors), failed.value.errors
    assert counts(store) == (2, 0)  # not even the good row


def test_an_unknown_extra_column_is_still_refused(store: Store, tmp_path: Path) -> None:
    import_catalogue(store, write(tmp_path, "c.csv", CATALOGUE))
    text = (
        ORDERS_HEADER.rstrip("\n")
        + ",status,weather\n"
        + "S-1,Jo,jo@example.com,KST-HK-01,UK 7,moss,1,K,2026-11-01,,,\n"
    )
    with pytest.raises(ImportFailed, match="unknown column\\(s\\): weather"):
        import_orders(store, write(tmp_path, "o.csv", text))
