"""The small files lessons 13 and 14 send: a PNG chart, a two-page PDF and a JSONL of requests, all made
here with the standard library, byte for byte the same every time (`python -m helpers.samples` writes
them beside this file; tests/lessons/test_samples.py checks the committed copies match)."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

FOLDER = Path(__file__).parent


def path(name: str) -> Path:
    """Where a sample lives: `samples.path("chart.png").read_bytes()`."""
    return FOLDER / name


def chart_png(width: int = 48, height: int = 32) -> bytes:
    """A tiny bar chart: three bars on white, as an 8-bit RGB PNG (signature, IHDR, IDAT, IEND)."""
    bars = [(4, 14, 20, (66, 133, 244)), (18, 28, 10, (219, 68, 55)), (32, 42, 4, (15, 157, 88))]
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type 0 (None) before each row
        for x in range(width):
            colour = next((c for left, right, top, c in bars if left <= x < right and y >= top), (255, 255, 255))
            row += bytes(colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def report_pdf() -> bytes:
    """A two-page PDF with one line of text a page: objects, then the cross-reference table of their offsets."""
    texts = ["Quarterly report: sales rose 12 percent.", "Page two: costs fell 3 percent."]
    pages = [3 + 2 * i for i in range(len(texts))]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{n} 0 R' for n in pages)}] /Count {len(texts)} >>"]
    for n, text in zip(pages, texts, strict=True):
        stream = f"BT /F1 12 Tf 40 100 Td ({text}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents {n + 1} 0 R "
                       "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    body, offsets = b"%PDF-1.4\n", []
    for number, text in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{text}\nendobj\n".encode("ascii")
    xref = f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(body)}\n%%EOF\n"
    return body + (xref + trailer).encode("ascii")


def requests_jsonl() -> bytes:
    """Three chat requests, one JSON object a line, in the Batch API's input format."""
    lines = [{"custom_id": f"question-{n}", "method": "POST", "url": "/v1/chat/completions",
              "body": {"model": "gpt-5.4-mini", "messages": [{"role": "user", "content": question}]}}
             for n, question in enumerate(["What is HTTP?", "What is JSON?", "What is base64?"], start=1)]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


SAMPLES = {"chart.png": chart_png, "report.pdf": report_pdf, "requests.jsonl": requests_jsonl}


def write() -> None:
    for name, make in SAMPLES.items():
        path(name).write_bytes(make())

