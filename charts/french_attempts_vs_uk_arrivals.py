"""French count of people at sea against UK arrivals, per year

Grouped bars compare, for each year from 2018 to 2024, the French Préfecture maritime count of people involved in crossings or crossing attempts (later: in rescue or assistance operations) with the number of people the UK Home Office recorded as arriving. The French figure is higher every year because it counts attempts, including people rescued, turned back or counted more than once, while the UK counts arrivals; where French sources give slightly different totals for a year, the lower one is shown.
"""
import altair as alt
import pandas as pd

FR = "France: people involved in crossings or attempts"
UK = "UK: people arriving"


def chart(data):
    fr = data["french_sea_figures"]
    fr = fr[(fr["measure"] == "attempts_or_involved") & (fr["period"] == "full_year")]
    fr = fr.sort_values("value").groupby("year", as_index=False).first()
    fr = pd.DataFrame({"year": fr["year"].astype(int), "people": fr["value"].astype(int), "series": FR,
                       "counted_by": fr["authority"], "source_id": fr["source_id"]})

    uk = data["uk_arrivals_by_year"]
    uk = uk[uk["series"] == "official"]
    uk = pd.DataFrame({"year": uk["year"].astype(int), "people": uk["people"].astype(int), "series": UK,
                       "counted_by": "Home Office", "source_id": uk["source_id"]})

    years = sorted(set(fr["year"]) & set(uk["year"]))
    df = pd.concat([fr, uk], ignore_index=True)
    df = df[df["year"].isin(years)]

    return alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=[FR, UK]),
        y=alt.Y("people:Q", title="People", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, sort=[FR, UK],
                        scale=alt.Scale(domain=[FR, UK], range=["#f58518", "#4c78a8"]),
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=400)),
        tooltip=[
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("series:N", title="Measure"),
            alt.Tooltip("people:Q", title="People", format=",.0f"),
            alt.Tooltip("counted_by:N", title="Counted by"),
        ],
    ).properties(width=640, height=300)
