#!/usr/bin/env bash
# Checks an hffsim report.html in a real browser (Debian's chromium, headless):
#   1. the page's own script ran and found every figure laid out: Chromium's DOM dump carries
#      <body data-rendered="N/M"> with N = M > 0 (a page whose script failed, or whose SVGs did
#      not render, fails here);
#   2. the screenshot is not blank: the PNG (decoded here with Python's zlib, no packages) has
#      at least 1% of its pixels away from the background and at least 8 distinct colours.
# Usage: scripts/check-report.sh REPORT.html [SCREENSHOT.png]   (exit 0 pass, 1 fail, 2 usage)
# Prints one line: the verdict, the figures rendered, the screenshot's size and ink.
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2; exit 2; }
report=$1
[ -f "$report" ] || { echo "$report: no such file" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-report: chromium not found (Debian: apt-get install chromium)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shot=${2:-$profile/screenshot.png}
url="file://$(realpath "$report")"
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile")
dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
rendered=$(printf '%s' "$dom" | grep -o 'data-rendered="[0-9]*/[0-9]*"' | head -n 1 | sed -E 's/.*"(.*)"/\1/' || true)
timeout 120 "$browser" "${flags[@]}" --window-size=1500,2400 --screenshot="$shot" "$url" >/dev/null 2>&1
python3 - "$shot" "${rendered:-none}" "$report" <<'EOF'
import struct, sys, zlib

path, rendered, report = sys.argv[1:4]

def pixels(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) into rows of tuples."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, head = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, colour, _, _, interlace = head
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

problems = []
try:
    w, h, bpp, rows = pixels(path)
except Exception as e:
    print(f"FAIL {report}: screenshot {path} unreadable ({e})")
    sys.exit(1)
background = rows[0][:3]
ink, colours = 0, set()
for r in rows[::2]:
    for x in range(0, w * bpp, 2 * bpp):
        p = r[x:x + 3]
        colours.add(p)
        if p != background:
            ink += 1
samples = ((h + 1) // 2) * ((w + 1) // 2)
share = ink / samples
n, m = (rendered.split("/") + ["0"])[:2] if rendered != "none" else ("0", "0")
if rendered == "none":
    problems.append("no data-rendered attribute (the page's check script did not run)")
elif int(m) == 0 or n != m:
    problems.append(f"{n} of {m} figures rendered")
if share < 0.01:
    problems.append(f"blank screenshot ({share:.2%} ink)")
if len(colours) < 8:
    problems.append(f"{len(colours)} distinct colours")
verdict = "FAIL" if problems else "PASS"
print(f"{verdict} {report}: figures rendered {rendered}; screenshot {path} {w}x{h}, {share:.1%} of pixels inked, {len(colours)} colours"
      + ("; " + "; ".join(problems) if problems else ""))
sys.exit(1 if problems else 0)
EOF
