"""Draw a scenario's timeline (report/timeline.py) as an inline SVG: one row per request, from when
it left to when its answer came; a dot coloured by what the server made of it (green accepted,
red refused, grey: the browser did not send the session cookie at all); the cookie's own life after
each Set-Cookie (a bar as long as its Max-Age); dashed verticals at the promised deadlines, numbered
and listed under the drawing.

Nothing overlaps and nothing leaves the drawing: request names have a column of their own at the
left, what each answer did (no cookie sent, accepted, refused; what its Set-Cookie did) a column at
the right, and the time axis the space between; deadlines closer than a few pixels are drawn as one
line in both colours, and their number tags are moved apart along the top."""

from __future__ import annotations

from html import escape

WIDTH, ROW, TOP = 980, 18, 30
CHAR = 6.2  # px per character of the 11 px labels (system-ui), rounded up: the columns' width
NOTE_CHAR = 5.8  # the 10 px notes
RIGHT = 270  # the right-hand column: what each answer did
MERGE_PX = 4  # deadlines closer than this on the drawing are one line
TAG_W = 16  # a deadline's number tag
COLOURS = {"accepted": "#2e7d32", "refused": "#c62828", "no cookie sent": "#9e9e9e"}
NOTE_COLOURS = {"no cookie sent": "#616161"}  # text needs more contrast than a dot
DEADLINE_COLOURS = ("#1565c0", "#ef6c00", "#6a1b9a")
COOKIE = "#64b5f6"


def state_of(event: dict) -> str:
    """What the server made of a request: a request that carried no session cookie was not refused,
    it had nothing to refuse."""
    if not event.get("cookie_sent"):
        return "no cookie sent"
    return "accepted" if event.get("accepted") else "refused"


def _set_cookie(cookie: dict | None) -> str:
    if not cookie:
        return ""
    if cookie.get("deletes"):
        return "Set-Cookie deletes it"
    if cookie.get("max_age") is None:
        return "Set-Cookie: browser-length"
    return f"Set-Cookie: Max-Age={cookie['max_age']}"


def _fit(text: str, width: float, per_char: float) -> str:
    most = max(int(width / per_char), 4)
    return text if len(text) <= most else text[:most - 1] + "…"


def _tags(xs: list[float], low: float, high: float) -> list[float]:
    """Where each number tag goes: over its line, moved right just enough not to touch the one
    before, and back left as a block if that ran past the right edge."""
    placed = []
    for x in xs:
        left = max(x - TAG_W / 2, low, placed[-1] + TAG_W + 2 if placed else low)
        placed.append(left)
    overflow = (placed[-1] + TAG_W - high) if placed else 0
    if overflow > 0:
        placed = [p - overflow for p in placed]
        for i in range(len(placed) - 2, -1, -1):  # keep them apart going back left
            placed[i] = min(placed[i], placed[i + 1] - TAG_W - 2)
    return placed


def draw(timeline: dict) -> str:
    events = timeline.get("events") or []
    if not events:
        return ""
    deadlines = list(timeline.get("deadlines") or [])[:len(DEADLINE_COLOURS)]
    last = max(e["received_s"] for e in events)
    # A deadline weeks away (a two-week age judged by arithmetic) is named, not drawn to scale.
    shown = [i for i, d in enumerate(deadlines) if d["at_s"] <= 2 * last + 5]
    end = max([last] + [deadlines[i]["at_s"] for i in shown]) + 0.5
    labels = [e["label"] + (" (replay)" if e["replay"] else "") for e in events]
    left = min(max(len(t) for t in labels) * CHAR + 14, 240)
    plot_right = WIDTH - RIGHT - 12
    scale = (plot_right - left) / max(end, 1.0)
    step = next((s for s in (0.5, 1, 2, 5, 10, 30, 60, 300, 3600) if end / s <= 12), max(1, int(end / 12)))

    def x(t: float) -> float:
        return left + max(t, 0.0) * scale

    axis = TOP + ROW * len(events) + 6
    legend_y = axis + 30
    height = legend_y + 16 * (len(deadlines) + 1) + 4
    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="session timeline">',
           f'<text x="{WIDTH - RIGHT}" y="{TOP - 12}" font-size="10" fill="#666">what the answer said</text>']
    ticks, t = [], 0.0
    while t <= end:
        ticks.append(t)
        t = round(t + step, 3)
    for second in ticks:  # the time axis
        label = f"{second:g}s"
        out.append(f'<line x1="{x(second):.1f}" y1="{TOP - 4}" x2="{x(second):.1f}" y2="{axis}" stroke="#eee"/>'
                   f'<text x="{x(second):.1f}" y="{axis + 12}" font-size="10" text-anchor="middle" '
                   f'fill="#666">{label}</text>')
    # Deadlines: lines closer than MERGE_PX are one group, drawn once in each of its colours.
    groups: list[list[int]] = []
    for i in sorted(shown, key=lambda i: deadlines[i]["at_s"]):
        if groups and x(deadlines[i]["at_s"]) - x(deadlines[groups[-1][0]]["at_s"]) < MERGE_PX:
            groups[-1].append(i)
        else:
            groups.append([i])
    groups = [sorted(group) for group in groups]  # within a group, in the legend's order
    order = [i for group in groups for i in group]
    tags = dict(zip(order, _tags([x(deadlines[i]["at_s"]) for i in order], 4, plot_right + 8)))
    for group in groups:
        at = x(deadlines[group[0]]["at_s"])
        title = escape("; ".join(f"{deadlines[i]['what']}: +{deadlines[i]['at_s']:.2f} s" for i in group))
        period = 4 * len(group)
        for n, i in enumerate(group):
            pattern = "5,3" if len(group) == 1 else f"4,{period - 4}"
            out.append(f'<line class="deadline" x1="{at:.1f}" y1="{TOP - 4}" x2="{at:.1f}" y2="{axis}" '
                       f'stroke="{DEADLINE_COLOURS[i]}" stroke-width="1.5" stroke-dasharray="{pattern}" '
                       f'stroke-dashoffset="{-4 * n}"><title>{title}</title></line>')
    for i, tag_x in tags.items():
        at = x(deadlines[i]["at_s"])
        if abs(tag_x + TAG_W / 2 - at) > 1:  # moved aside: a leader to its line
            out.append(f'<line x1="{tag_x + TAG_W / 2:.1f}" y1="{TOP - 9}" x2="{at:.1f}" y2="{TOP - 4}" stroke="#999"/>')
        out.append(f'<g class="deadline-tag"><rect x="{tag_x:.1f}" y="{TOP - 22}" width="{TAG_W}" height="13" rx="3" '
                   f'fill="{DEADLINE_COLOURS[i]}"/><text x="{tag_x + TAG_W / 2:.1f}" y="{TOP - 12}" font-size="10" '
                   f'text-anchor="middle" fill="#fff">{i + 1}</text><title>{escape(deadlines[i]["what"])}: '
                   f'+{deadlines[i]["at_s"]:.2f} s</title></g>')
    for row, (event, label) in enumerate(zip(events, labels)):
        y = TOP + ROW * row + ROW / 2
        state = state_of(event)
        out.append(f'<text x="4" y="{y + 4:.1f}" font-size="11" fill="#333">{escape(_fit(label, left - 10, CHAR))}'
                   f'<title>{escape(label)}</title></text>')
        cookie = event.get("set_cookie")
        if cookie and not cookie["deletes"] and cookie.get("max_age") is not None:
            start = x(event["received_s"])
            full = cookie["max_age"] * scale
            width = max(min(full, plot_right - start), 0)
            out.append(f'<rect class="life" x="{start:.1f}" y="{y - 3:.1f}" width="{width:.1f}" height="6" fill="#bbdefb">'
                       f'<title>Set-Cookie: Max-Age={cookie["max_age"]}</title></rect>')
            if full > width:  # it goes on past the drawing
                out.append(f'<path d="M{plot_right:.1f},{y - 5:.1f} l6,5 l-6,5 z" fill="{COOKIE}"/>')
        dash = ' stroke-dasharray="3,2"' if event["replay"] else ""
        out.append(f'<line x1="{x(event["sent_s"]):.1f}" y1="{y:.1f}" x2="{x(event["received_s"]):.1f}" '
                   f'y2="{y:.1f}" stroke="#555"{dash}/>')
        out.append(f'<circle cx="{x(event["received_s"]):.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[state]}">'
                   f'<title>{escape(label)}: {state}, HTTP {event["status"]}, +{event["received_s"]:.2f} s</title>'
                   f'</circle>')
        status = event.get("status")
        note = state if status is None or 200 <= status < 400 else f"{state} · HTTP {status}"
        sets = _set_cookie(cookie)
        out.append(f'<text class="note" x="{WIDTH - RIGHT}" y="{y + 4:.1f}" font-size="10">'
                   f'<tspan fill="{NOTE_COLOURS.get(state, COLOURS[state])}">{escape(note)}</tspan>'
                   + (f'<tspan fill="#1565c0"> · {escape(_fit(sets, RIGHT - 8 - len(note) * NOTE_CHAR, NOTE_CHAR))}'
                      f'</tspan>' if sets else "") + "</text>")
    for n, d in enumerate(deadlines):
        i = n
        where = "" if i in shown else " (beyond this chart)"
        out.append(f'<text x="4" y="{legend_y + 16 * n}" font-size="10" fill="{DEADLINE_COLOURS[i]}">'
                   f'[{i + 1}] - - {escape(_fit(d["what"], WIDTH - 200, NOTE_CHAR))}: +{d["at_s"]:.2f} s{where}</text>')
    legend = [("● accepted", COLOURS["accepted"]), ("● refused", COLOURS["refused"]),
              ("● no cookie sent", COLOURS["no cookie sent"]), ("▬ the cookie's life (Max-Age)", COOKIE),
              ("- - a replay (the old cookie, from elsewhere)", "#555")]
    ly, lx = legend_y + 16 * len(deadlines), 4.0
    for text, colour in legend:
        out.append(f'<text x="{lx:.0f}" y="{ly}" font-size="10" fill="{colour}">{escape(text)}</text>')
        lx += len(text) * NOTE_CHAR + 18
    out.append("</svg>")
    return "".join(out)
