"""A photo-sized picture for the benchmarks (1600 x 1000, a dusk gradient with two
boats), written as a PNG with the standard library only: python3 bench-photo.py OUT."""
import struct
import sys
import zlib

W, H = 1600, 1000


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = bytearray()
for y in range(H):
    rows.append(0)
    t = y / H
    sky = (int(244 - 186 * t), int(194 - 83 * t), int(122 + 21 * t))
    row = bytearray(sky * W)
    if 620 <= y < 700:
        for x0, x1 in ((320, 620), (880, 1140)):
            row[x0 * 3:x1 * 3] = bytes((29, 43, 54)) * (x1 - x0)
    rows += row
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
with open(sys.argv[1], "wb") as f:
    f.write(png)
