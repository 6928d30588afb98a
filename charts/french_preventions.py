"""People France reports stopping from crossing, per year

Bars show the yearly sum of the weekly number of people the French authorities report having prevented from crossing, as published by the Home Office; the label on each bar gives how many weeks of data it sums. The series only starts in May 2024 and the latest year is incomplete, so only 2025 is a full year.
"""
import altair as alt
import pandas as pd


def chart(data):
    df = data["french_preventions"].copy()
    df["year"] = df["year"].astype(int)
    df["people_prevented"] = df["people_prevented"].astype(int)
    df["events_prevented"] = df["events_prevented"].astype(int)
    df["weeks"] = df["weeks_with_data"].astype(int)
    def coverage(weeks, first, last):
        if first.month == 1 and last.month == 12:
            return f"{weeks} weeks (full year)"
        if first.month > 1:
            return f"{weeks} weeks, from {first.day} {first:%b}"
        return f"{weeks} weeks, to {last.day} {last:%b}"

    df["coverage"] = [coverage(w, a, b) for w, a, b in zip(df["weeks"], df["first_week_ending"], df["last_week_ending"])]
    df["from_to"] = [f"Weeks ending {a.day} {a:%b %Y} to {b.day} {b:%b %Y}"
                     for a, b in zip(df["first_week_ending"], df["last_week_ending"])]
    df["full"] = df["coverage"].str.contains("full year")
    df = df[["year", "people_prevented", "events_prevented", "weeks", "coverage", "from_to", "full", "source_id"]]

    base = alt.Chart(df).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people_prevented:Q", title="People prevented (French estimates)",
                axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("people_prevented:Q", title="People prevented", format=",.0f"),
            alt.Tooltip("events_prevented:Q", title="Events prevented", format=",.0f"),
            alt.Tooltip("from_to:N", title="Weeks summed"),
        ],
    )
    bars = base.mark_bar(width=90).encode(
        color=alt.condition("datum.full", alt.value("#4c78a8"), alt.value("#9ecae9")),
    )
    labels = base.mark_text(dy=-6, baseline="bottom").encode(text="coverage:N")
    return (bars + labels).properties(width=640, height=300)
