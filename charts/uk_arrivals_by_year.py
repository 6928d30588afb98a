"""People arriving in the UK by small boat, per year

Bars show the number of people detected arriving in the UK by small boat in each calendar year from 2018 to 2025, from the Home Office official statistics. Arrivals rose from a few hundred in 2018 to a peak in 2022, fell in 2023 and rose again in 2024 and 2025; the 2025 figure is provisional.
"""
import altair as alt
import pandas as pd


def chart(data):
    df = data["uk_arrivals_by_year"]
    df = df[df["series"] == "official"][["year", "people", "note", "source_id"]].copy()
    df["year"] = df["year"].astype(int)
    df["people"] = df["people"].astype(int)
    df["status"] = df["note"].fillna("").str.contains("rovisional").map({True: "Provisional", False: "Final"})
    df = df.drop(columns="note")

    base = alt.Chart(df).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people:Q", title="People arriving by small boat", axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("people:Q", title="People", format=",.0f"),
            alt.Tooltip("status:N", title="Status"),
        ],
    )
    bars = base.mark_bar(color="#4c78a8")
    labels = base.mark_text(dy=-6, baseline="bottom").encode(text=alt.Text("people:Q", format=",.0f"))
    return (bars + labels).properties(width=640, height=300)
