"""Draw a scenario's timeline (report/timeline.py) as an inline SVG: one row per request, from when
it left to when its answer came; a dot coloured by what the server made of it (green accepted,
red refused, grey: the browser did not send the cookie at all); the cookie's own life after each
Set-Cookie (a bar as long as its Max-Age); dashed verticals at the promised deadlines."""

from __future__ import annotations

from html import escape

WIDTH, LEFT, ROW, TOP = 760, 170, 18, 12
COLOURS = {"accepted": "#2e7d32", "refused": "#c62828", "not sent": "#9e9e9e"}
DEADLINE_COLOURS = ("#1565c0", "#ef6c00", "#6a1b9a")


def draw(timeline: dict) -> str:
    events = timeline.get("events") or []
    if not events:
        return ""
    deadlines = timeline.get("deadlines") or []
    last = max(e["received_s"] for e in events)
    # A deadline weeks away (a two-week age judged by arithmetic) is named, not drawn to scale.
    shown = [d for d in deadlines if d["at_s"] <= 2 * last + 5]
    end = max([last] + [d["at_s"] for d in shown]) + 0.5
    scale = (WIDTH - LEFT - 20) / max(end, 1.0)
    step = next((s for s in (1, 2, 5, 10, 30, 60, 300, 3600) if end / s <= 20), max(1, int(end / 20)))

    def x(t: float) -> float:
        return LEFT + max(t, 0.0) * scale

    legend = ["● accepted", "● refused", "● cookie not sent", "▬ the cookie's life (Max-Age)"]
    height = TOP + ROW * len(events) + 30 + 14 * (len(deadlines) + 1)
    axis = TOP + ROW * len(events) + 8
    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="session timeline">']
    for second in range(0, int(end) + 1, step):  # the time axis
        out.append(f'<line x1="{x(second):.1f}" y1="{TOP - 6}" x2="{x(second):.1f}" y2="{axis}" '
                   f'stroke="#eee"/><text x="{x(second):.1f}" y="{axis + 12}" font-size="10" '
                   f'text-anchor="middle" fill="#666">{second}s</text>')
    for i, (d, colour) in enumerate(zip(deadlines, DEADLINE_COLOURS)):
        if d in shown:
            out.append(f'<line x1="{x(d["at_s"]):.1f}" y1="{TOP - 6}" x2="{x(d["at_s"]):.1f}" y2="{axis}" '
                       f'stroke="{colour}" stroke-dasharray="5,3"><title>{escape(d["what"])}: +{d["at_s"]:.2f} s'
                       f'</title></line>')
        where = "" if d in shown else " (beyond this chart)"
        out.append(f'<text x="4" y="{axis + 28 + 14 * i}" font-size="10" fill="{colour}">- - '
                   f'{escape(d["what"])}: +{d["at_s"]:.2f} s{where}</text>')
    y_legend = axis + 28 + 14 * len(deadlines)
    colours = [COLOURS["accepted"], COLOURS["refused"], COLOURS["not sent"], "#64b5f6"]
    out.append("".join(f'<text x="{4 + 150 * i}" y="{y_legend}" font-size="10" fill="{c}">{escape(t)}</text>'
                       for i, (t, c) in enumerate(zip(legend, colours))))
    for row, event in enumerate(events):
        y = TOP + ROW * row + ROW / 2
        state = ("not sent" if not event["cookie_sent"] else "accepted" if event["accepted"] else "refused")
        label = escape(event["label"]) + (" (replay)" if event["replay"] else "")
        out.append(f'<text x="4" y="{y + 4:.1f}" font-size="11" fill="#333">{label}</text>')
        cookie = event.get("set_cookie")
        if cookie and not cookie["deletes"] and cookie.get("max_age") is not None:
            width = min(cookie["max_age"] * scale, WIDTH - x(event["received_s"]))
            out.append(f'<rect x="{x(event["received_s"]):.1f}" y="{y - 3:.1f}" '
                       f'width="{width:.1f}" height="6" fill="#bbdefb">'
                       f'<title>Set-Cookie: Max-Age={cookie["max_age"]}</title></rect>')
        elif cookie:
            kind = "deletes the cookie" if cookie["deletes"] else "browser-length cookie"
            out.append(f'<text x="{x(event["received_s"]) + 8:.1f}" y="{y + 4:.1f}" font-size="10" '
                       f'fill="#1565c0">Set-Cookie: {kind}</text>')
        dash = ' stroke-dasharray="3,2"' if event["replay"] else ""
        out.append(f'<line x1="{x(event["sent_s"]):.1f}" y1="{y:.1f}" x2="{x(event["received_s"]):.1f}" '
                   f'y2="{y:.1f}" stroke="#555"{dash}/>')
        out.append(f'<circle cx="{x(event["received_s"]):.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[state]}">'
                   f'<title>{label}: cookie {"sent" if event["cookie_sent"] else "not sent"}, {state}, '
                   f'HTTP {event["status"]}, +{event["received_s"]:.2f} s</title></circle>')
    out.append("</svg>")
    return "".join(out)
