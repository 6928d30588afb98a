"""Deaths in Channel crossings: how the counts differ

Each dot is one published count of people who died trying to cross the Channel in a year, coloured by who counted: French maritime officials, the Refugee Council, the IOM and the French anti-smuggling office OLTIM. Counts for the same year often disagree, most of all in 2024, the deadliest year on record, when published totals range from the high sixties to the high seventies; no official UK count exists.
"""
import altair as alt
import pandas as pd

COUNTERS = {
    "premar": "French Préfecture maritime",
    "fr_official_afp": "French officials (via AFP)",
    "un_news": "French official (via UN News)",
    "refugee_council": "Refugee Council",
    "iom": "IOM Missing Migrants Project",
    "oltim": "OLTIM (French anti-smuggling office)",
}
COLOURS = ["#f58518", "#e45756", "#b279a2", "#4c78a8", "#54a24b", "#9d755d"]


def chart(data):
    df = data["deaths"]
    df = df[df["counter"].isin(COUNTERS)].copy()  # leaves out the all-incidents count, which is not about migrants
    sources = data["sources"].set_index("id")
    df["reported_in"] = df["source_id"].map(sources["publisher"])
    df["counted_by"] = df["counter"].map(COUNTERS)
    df["year"] = df["year"].astype(int)
    df["dead"] = df["dead"].astype(int)
    df["missing_text"] = df["missing"].map(lambda v: "not given" if pd.isna(v) else f"{int(v):,}")
    df["period_text"] = df["period"].map({"full_year": "Whole year"}).fillna("Part of the year: " + df["period"].str.replace("_", " "))
    # Spread the dots of one year side by side: one slot per counter, duplicates nudged a little further.
    df = df.sort_values(["year", "counter", "dead"]).reset_index(drop=True)
    slot = df.groupby("year")["counter"].transform(lambda c: pd.Series(pd.factorize(c)[0], index=c.index))
    slots = df.groupby("year")["counter"].transform("nunique")
    dup = df.groupby(["year", "counter"]).cumcount()
    df["x"] = df["year"] + (slot - (slots - 1) / 2) * 0.22 + dup * 0.05
    df = df[["x", "year", "counted_by", "dead", "missing_text", "period_text", "scope", "reported_in", "source_id"]]

    order = list(COUNTERS.values())
    return alt.Chart(df).mark_point(filled=True, size=110, opacity=0.85).encode(
        x=alt.X("x:Q", title="Year", scale=alt.Scale(domain=[df["year"].min() - 0.5, df["year"].max() + 0.5], nice=False),
                axis=alt.Axis(format="d", tickMinStep=1, values=sorted(df["year"].unique().tolist()), grid=False)),
        y=alt.Y("dead:Q", title="People who died (as counted)", axis=alt.Axis(format=",.0f")),
        color=alt.Color("counted_by:N", title="Counted by", sort=order,
                        scale=alt.Scale(domain=order, range=COLOURS), legend=alt.Legend(orient="bottom", columns=2, labelLimit=300, columnPadding=40)),
        shape=alt.Shape("counted_by:N", title="Counted by", sort=order, scale=alt.Scale(domain=order)),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("counted_by:N", title="Counted by"),
            alt.Tooltip("dead:Q", title="Dead", format=",.0f"),
            alt.Tooltip("missing_text:N", title="Missing"),
            alt.Tooltip("period_text:N", title="Period"),
            alt.Tooltip("scope:N", title="What it covers"),
            alt.Tooltip("reported_in:N", title="Reported in"),
        ],
    ).properties(width=640, height=300)
