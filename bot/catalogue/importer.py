"""CSV import of the catalogue and of orders: all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Container, Iterator, Optional, Union

from bot.cases.models import Customer, Order, Product
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.patterns import is_email
from bot.vocabulary import ORDER_STATUSES

CATALOGUE_COLUMNS = ("sku", "name", "line", "category", "materials", "colours", "sizes")
ORDER_COLUMNS = (
    "order_number",
    "customer_name",
    "customer_email",
    "sku",
    "size",
    "colour",
    "quantity",
    "batch",
    "order_date",
    "delivery_date",
)
# Optional orders columns (files without them still import): where the order is and how it travels.
ORDER_OPTIONAL_COLUMNS = ("status", "dispatch_date", "expected_delivery_date", "carrier", "tracking_number")
ORDER_NUMBER_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9/-]{0,62}[A-Za-z0-9])?$")
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MAX_FIELD = 500


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "rows": self.rows, "created": self.created, "updated": self.updated}


@dataclass
class ImportFailed(ValueError):
    """The file was rejected; ``errors`` name each bad line. Nothing was imported."""

    path: str
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.errors[:50]
        more = f"\n... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        return f"{self.path}: rejected, nothing imported:\n" + "\n".join(shown) + more


Source = Union[str, Path]


def _read_rows(
    path: Source, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) after checking the header; raise ImportFailed on a bad file.

    ``optional`` columns may be present or left out; any other column is refused.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(name, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(name, [f"the file is not UTF-8 text (byte {exc.start})"]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed(name, ["the file is empty; expected header: " + ",".join(columns)]) from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in header]
    extra = [h for h in header if h not in columns and h not in optional]
    if missing or extra:
        problems = []
        if missing:
            problems.append("missing column(s): " + ", ".join(missing))
        if extra:
            problems.append("unknown column(s): " + ", ".join(extra))
        expected = ",".join(columns) + (" (optional: " + ",".join(optional) + ")" if optional else "")
        raise ImportFailed(name, ["line 1: " + "; ".join(problems) + "; expected header: " + expected])
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield line, {"__error__": f"has {len(values)} fields, expected {len(header)}"}
            continue
        yield line, {h: v.strip() for h, v in zip(header, values, strict=True)}


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _parse_date(value: str, column: str, errors: list[str], line: int, required: bool) -> Optional[dt.date]:
    if not value:
        if required:
            errors.append(f"line {line}: {column} is required (ISO date YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"line {line}: {column} {value!r} is not an ISO date (YYYY-MM-DD)")
        return None


def _check_lengths(row: dict[str, str], line: int, errors: list[str]) -> None:
    for column, value in row.items():
        if len(value) > MAX_FIELD:
            errors.append(f"line {line}: {column} is longer than {MAX_FIELD} characters")


def import_catalogue(store: Store, path: Source) -> ImportReport:
    """Create or update products from a catalogue CSV (``sku,name,line,category,materials,colours,sizes``)."""
    errors: list[str] = []
    parsed: dict[str, dict[str, Any]] = {}
    seen_at: dict[str, int] = {}
    for line, row in _read_rows(path, CATALOGUE_COLUMNS):
        if "__error__" in row:
            errors.append(f"line {line}: {row['__error__']}")
            continue
        _check_lengths(row, line, errors)
        sku = row["sku"].upper()
        if not SKU_RE.match(sku):
            errors.append(
                f"line {line}: sku {row['sku']!r} is empty or has characters other than letters, digits, . _ / -"
            )
            continue
        if sku in seen_at:
            errors.append(f"line {line}: sku {sku} already appears on line {seen_at[sku]}")
            continue
        if not row["name"]:
            errors.append(f"line {line}: name is required")
        seen_at[sku] = line
        parsed[sku] = {
            "name": row["name"],
            "line": row["line"],
            "category": row["category"],
            "materials": _split_list(row["materials"]),
            "colours": _split_list(row["colours"]),
            "sizes": _split_list(row["sizes"]),
        }
    if errors:
        raise ImportFailed(str(path), errors)
    if not parsed:
        raise ImportFailed(str(path), ["the file has a header but no products"])
    report = ImportReport("catalogue", rows=len(parsed))
    with store.unit_of_work() as uow:
        for sku, values in parsed.items():
            product = uow.catalogue.product(sku)
            if product is None:
                uow.session.add(Product(sku=sku, **values))
                report.created += 1
            else:
                for key, value in values.items():
                    setattr(product, key, value)
                report.updated += 1
        uow.commit()
    return report


def import_orders(store: Store, path: Source) -> ImportReport:
    """Create or update orders (and their customers) from an orders CSV."""
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen_at: dict[str, int] = {}
    rows = list(_read_rows(path, ORDER_COLUMNS, ORDER_OPTIONAL_COLUMNS))
    with store.unit_of_work() as uow:
        known_skus = {p.sku.upper(): p for p in uow.catalogue.products()}
        for line, row in rows:
            values = _order_values(line, row, known_skus, seen_at, errors)
            if values is not None:
                parsed.append(values)
        if errors:
            raise ImportFailed(str(path), errors)
        if not parsed:
            raise ImportFailed(str(path), ["the file has a header but no orders"])
        report = ImportReport("orders", rows=len(parsed))
        customers: dict[str, Customer] = {}
        for values in parsed:
            _save_order(uow, values, known_skus, customers, report)
        uow.commit()
    return report


def _order_values(
    line: int, row: dict[str, str], known_skus: Container[str], seen_at: dict[str, int], errors: list[str]
) -> Optional[dict[str, Any]]:
    """One CSV row checked and typed, its problems added to ``errors``; None when the row cannot be read at all."""
    if "__error__" in row:
        errors.append(f"line {line}: {row['__error__']}")
        return None
    _check_lengths(row, line, errors)
    number = row["order_number"]
    if not ORDER_NUMBER_RE.match(number):
        errors.append(f"line {line}: order_number {number!r} must be letters, digits, '-' or '/' (1-64 characters)")
        return None
    key = number.upper()
    if key in seen_at:
        errors.append(f"line {line}: order_number {number} already appears on line {seen_at[key]}")
        return None
    seen_at[key] = line
    email = row["customer_email"].lower()
    if not is_email(email):
        errors.append(f"line {line}: customer_email {row['customer_email']!r} is not an e-mail address")
    sku = row["sku"].upper()
    if sku not in known_skus:
        errors.append(f"line {line}: sku {row['sku']!r} is not in the catalogue (import the catalogue first)")
    quantity = 1
    if row["quantity"]:
        try:
            quantity = int(row["quantity"])
            if quantity < 1 or quantity > 10000:
                raise ValueError
        except ValueError:
            errors.append(f"line {line}: quantity {row['quantity']!r} must be a whole number from 1 to 10000")
    order_date = _parse_date(row["order_date"], "order_date", errors, line, required=True)
    delivery_date = _parse_date(row["delivery_date"], "delivery_date", errors, line, required=False)
    if order_date and delivery_date and delivery_date < order_date:
        errors.append(f"line {line}: delivery_date {delivery_date} is before order_date {order_date}")
    shipping = _shipping_values(line, row, order_date, delivery_date, errors)
    return {
        **shipping,
        "order_number": number,
        "customer_name": row["customer_name"],
        "email": email,
        "sku": sku,
        "size": row["size"],
        "colour": row["colour"],
        "quantity": quantity,
        "batch": row["batch"],
        "order_date": order_date,
        "delivery_date": delivery_date,
    }


def _shipping_values(
    line: int, row: dict[str, str], order_date: Optional[dt.date], delivery_date: Optional[dt.date], errors: list[str]
) -> dict[str, Any]:
    """The optional columns present in the file, checked and typed (blank means not known)."""
    values: dict[str, Any] = {}
    if "status" in row:
        status = row["status"].lower() or None
        if status is not None and status not in ORDER_STATUSES:
            errors.append(f"line {line}: status {row['status']!r} must be one of: {', '.join(ORDER_STATUSES)}")
        values["status"] = status
    for column in ("dispatch_date", "expected_delivery_date"):
        if column in row:
            values[column] = _parse_date(row[column], column, errors, line, required=False)
    dispatched = values.get("dispatch_date")
    if order_date and dispatched and dispatched < order_date:
        errors.append(f"line {line}: dispatch_date {dispatched} is before order_date {order_date}")
    if dispatched and delivery_date and delivery_date < dispatched:
        errors.append(f"line {line}: delivery_date {delivery_date} is before dispatch_date {dispatched}")
    expected = values.get("expected_delivery_date")
    if order_date and expected and expected < order_date:
        errors.append(f"line {line}: expected_delivery_date {expected} is before order_date {order_date}")
    for column, longest in (("carrier", 60), ("tracking_number", 64)):
        if column in row:
            if len(row[column]) > longest:
                errors.append(f"line {line}: {column} is longer than {longest} characters")
            values[column] = row[column] or None
    return values


def _save_order(
    uow: UnitOfWork,
    values: dict[str, Any],
    known_skus: dict[str, Product],
    customers: dict[str, Customer],
    report: ImportReport,
) -> None:
    """Create or update one order, and its customer (once per e-mail address in the file)."""
    email = values["email"]
    customer = customers.get(email) or uow.catalogue.get_or_create_customer(email, values["customer_name"])
    assert customer is not None
    if values["customer_name"] and customer.erased_at is None:
        customer.name = values["customer_name"]
    customers[email] = customer
    order = uow.catalogue.order(values["order_number"])
    fields = {
        "customer_id": customer.id,
        "product_id": known_skus[values["sku"]].id,
        "size": values["size"],
        "colour": values["colour"],
        "quantity": values["quantity"],
        "batch": values["batch"],
        "order_date": values["order_date"],
        "delivery_date": values["delivery_date"],
        # Optional columns only when the file has them: a file without them leaves what is known alone.
        **{column: values[column] for column in ORDER_OPTIONAL_COLUMNS if column in values},
    }
    if order is None:
        uow.session.add(Order(order_number=values["order_number"], **fields))
        report.created += 1
    else:
        for key, value in fields.items():
            setattr(order, key, value)
        report.updated += 1
    uow.session.flush()
