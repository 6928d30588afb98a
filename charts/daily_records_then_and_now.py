"""Record days: the figure reported at the time against today's Home Office series

For each day that was reported as a single-day record (or a notable high), one dot shows the number of people reported at the time and another the number in the current Home Office daily series, joined by a line. Most pairs are close, but some differ by dozens or more: the record of 21 August 2021 now stands higher than it was reported, while the Ministry of Defence figure for 22 August 2022 is well above today's Home Office value.
"""
import altair as alt
import pandas as pd

THEN = "Reported at the time"
NOW = "Today's Home Office series"


def chart(data):
    df = data["daily_arrivals"].copy()
    both = df.groupby("date")["series"].nunique()
    df = df[df["date"].isin(both[both == 2].index)]
    df["series_label"] = df["series"].map({"reported_at_time": THEN, "home_office_current": NOW})
    df["day"] = [f"{d.day} {d:%b %Y}" for d in df["date"]]
    df["people"] = df["people"].astype(int)
    df = df.sort_values("date")
    order = list(dict.fromkeys(df["day"]))
    df = df[["day", "series_label", "people", "reported_by", "source_id"]]

    y = alt.Y("day:N", title=None, sort=order)
    line = alt.Chart(df).mark_rule(color="#888888", strokeWidth=2).encode(
        y=y, x="min(people):Q", x2="max(people):Q"
    )
    dots = alt.Chart(df).mark_point(filled=True, size=120, opacity=1).encode(
        y=y,
        x=alt.X("people:Q", title="People arriving on the day", axis=alt.Axis(format=",.0f", tickCount=7)),
        color=alt.Color("series_label:N", title=None, sort=[THEN, NOW],
                        scale=alt.Scale(domain=[THEN, NOW], range=["#f58518", "#4c78a8"]),
                        legend=alt.Legend(orient="top", columnPadding=40, labelLimit=300)),
        shape=alt.Shape("series_label:N", title=None, sort=[THEN, NOW],
                        scale=alt.Scale(domain=[THEN, NOW], range=["diamond", "circle"])),
        tooltip=[
            alt.Tooltip("day:N", title="Day"),
            alt.Tooltip("series_label:N", title="Figure"),
            alt.Tooltip("people:Q", title="People", format=",.0f"),
            alt.Tooltip("reported_by:N", title="Given by"),
        ],
    )
    # Extra left padding: browsers may draw the day labels in a wider font than the one they were measured with.
    return (line + dots).properties(width=640, height=300, padding={"left": 25, "right": 10, "top": 5, "bottom": 5})
