"""French count of people at sea against UK arrivals, per year

Grouped bars compare, for each year from 2018 to 2024, the French Préfecture maritime count of people involved in crossings or crossing attempts (later: in rescue or assistance operations) with the number of people the UK Home Office recorded as arriving. The French figure is higher every year because it counts attempts, including people rescued, turned back or counted more than once, while the UK counts arrivals; where French sources give slightly different totals for a year, the lower one is shown.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Personnes en mer selon la France et arrivées au Royaume-Uni, par année",
        "description": "Des barres groupées comparent, pour chaque année de 2018 à 2024, le décompte par la Préfecture maritime des personnes impliquées dans des traversées ou des tentatives de traversée (puis dans des opérations de sauvetage ou d’assistance) au nombre de personnes dont le Home Office britannique a enregistré l’arrivée. Le chiffre français est chaque année plus élevé, car il compte des tentatives, y compris des personnes secourues, ramenées vers la côte ou comptées plusieurs fois, tandis que le Royaume-Uni compte des arrivées\u202f; lorsque les sources françaises donnent pour une même année des totaux légèrement différents, c’est le plus bas qui est retenu.",
        "France: people involved in crossings or attempts": "France\u00a0: personnes impliquées dans des traversées ou des tentatives",
        "UK: people arriving": "Royaume-Uni\u00a0: personnes arrivées",
        # who counted (authority in french_sea_figures.csv, and the Home Office)
        "Préfecture maritime Manche-Mer du Nord": "Préfecture maritime Manche-Mer du Nord",
        "French authorities": "Autorités françaises",
        "Home Office": "Home Office",
        "Year": "Année",
        "People": "Personnes",
        "Measure": "Mesure",
        "Counted by": "Source du décompte",
    },
}

FR = "France: people involved in crossings or attempts"
UK = "UK: people arriving"


def chart(data, t):
    fr_label, uk_label = t(FR), t(UK)
    fr = data["french_sea_figures"]
    fr = fr[(fr["measure"] == "attempts_or_involved") & (fr["period"] == "full_year")]
    fr = fr.sort_values("value").groupby("year", as_index=False).first()
    fr = pd.DataFrame({"year": fr["year"].astype(int), "people": fr["value"].astype(int), "series": fr_label,
                       "counted_by": fr["authority"].map(t), "source_id": fr["source_id"]})

    uk = data["uk_arrivals_by_year"]
    uk = uk[uk["series"] == "official"]
    uk = pd.DataFrame({"year": uk["year"].astype(int), "people": uk["people"].astype(int), "series": uk_label,
                       "counted_by": t("Home Office"), "source_id": uk["source_id"]})

    years = sorted(set(fr["year"]) & set(uk["year"]))
    df = pd.concat([fr, uk], ignore_index=True)
    df = df[df["year"].isin(years)]

    return alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title=t("Year"), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=[fr_label, uk_label]),
        y=alt.Y("people:Q", title=t("People"), axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, sort=[fr_label, uk_label],
                        scale=alt.Scale(domain=[fr_label, uk_label], range=["#D55E00", "#0072B2"]),
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=400)),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("series:N", title=t("Measure")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("counted_by:N", title=t("Counted by")),
        ],
    ).properties(width=640, height=300)
