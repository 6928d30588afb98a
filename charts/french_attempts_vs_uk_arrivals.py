"""French count of people at sea against UK arrivals, per year

Grouped bars compare, for each year from 2018 to 2024, the French Préfecture maritime's yearly count with the number of people the UK Home Office recorded as arriving. The French count changed definition: up to 2021 it is the people involved in crossings or crossing attempts, and from 2022 the people involved in a rescue or assistance operation, which includes boats escorted towards British waters; the two are drawn in different colours. The French figure is higher every year because it counts people at sea, including people rescued, turned back or counted more than once, while the UK counts arrivals; where French sources give slightly different totals for the same measure and year, the lower one is shown.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Personnes en mer selon la France et arrivées au Royaume-Uni, par année",
        "description": "Des barres groupées comparent, pour chaque année de 2018 à 2024, le décompte annuel de la Préfecture maritime au nombre de personnes dont le Home Office britannique a enregistré l’arrivée. Le décompte français a changé de définition : jusqu’en 2021, il porte sur les personnes impliquées dans des traversées ou des tentatives de traversée, et à partir de 2022 sur les personnes impliquées dans une opération de sauvetage ou d’assistance, ce qui inclut les embarcations escortées vers les eaux britanniques\u202f; les deux sont tracés dans des couleurs différentes. Le chiffre français est chaque année plus élevé, car il compte des personnes en mer, y compris des personnes secourues, ramenées vers la côte ou comptées plusieurs fois, tandis que le Royaume-Uni compte des arrivées\u202f; lorsque les sources françaises donnent pour une même mesure et une même année des totaux légèrement différents, c’est le plus bas qui est retenu.",
        # legend labels: short enough for a phone (the legend's title says they are people)
        "People counted": "Personnes comptées",
        "France: in crossings or attempts": "France\u00a0: traversées ou tentatives",
        "France: in rescue or assistance": "France\u00a0: sauvetage ou assistance",
        "UK: arriving": "Royaume-Uni\u00a0: arrivées",
        # who counted (authority in french_sea_figures.csv, and the Home Office)
        "Préfecture maritime Manche-Mer du Nord": "Préfecture maritime Manche-Mer du Nord",
        "French authorities": "Autorités françaises",
        "Home Office": "Home Office",
        "Year": "Année",
        "People": "Personnes",
        "Measure": "Mesure",
        "Counted by": "Source du décompte",
        "France": "France",
        "UK": "Royaume-Uni",
        "Country": "Pays",
    },
}

# Legend labels, each at most about 35 characters in every language: on a phone the legend starts
# beside the y axis and has about 240 px (a longer label ran past the chart's edge, cut off).
FR_ATTEMPTS = "France: in crossings or attempts"
FR_RESCUE = "France: in rescue or assistance"
UK = "UK: arriving"
MEASURES = {"crossings_or_attempts": FR_ATTEMPTS, "rescue_or_assistance": FR_RESCUE}


def chart(data, t):
    labels = [t(FR_ATTEMPTS), t(FR_RESCUE), t(UK)]
    fr = data["french_sea_figures"]
    fr = fr[fr["measure"].isin(MEASURES) & (fr["period"] == "full_year")].copy()
    # One French bar a year: the annual reports' rescue-or-assistance count where there is one (from
    # 2022), otherwise the crossings-or-attempts count; the lower one where two sources give the same measure.
    fr["rank"] = fr["measure"].map({"rescue_or_assistance": 0, "crossings_or_attempts": 1})
    fr = fr.sort_values(["rank", "value"]).groupby("year", as_index=False).first()
    fr = pd.DataFrame({"year": fr["year"].astype(int), "people": fr["value"].astype(int),
                       "series": fr["measure"].map(MEASURES).map(t), "country": t("France"),
                       "counted_by": fr["authority"].map(t), "source_id": fr["source_id"]})

    uk = data["uk_arrivals_by_year"]
    uk = uk[uk["series"] == "official"]
    uk = pd.DataFrame({"year": uk["year"].astype(int), "people": uk["people"].astype(int), "series": t(UK), "country": t("UK"),
                       "counted_by": t("Home Office"), "source_id": uk["source_id"]})

    years = sorted(set(fr["year"]) & set(uk["year"]))
    df = pd.concat([fr, uk], ignore_index=True)
    df = df[df["year"].isin(years)]

    return alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title=t("Year"), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("country:N", sort=[t("France"), t("UK")]),
        y=alt.Y("people:Q", title=t("People"), axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=t("People counted"), sort=labels,
                        scale=alt.Scale(domain=labels, range=["#D55E00", "#CC79A7", "#0072B2"]),  # house palette
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=500)),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("country:N", title=t("Country")),
            alt.Tooltip("series:N", title=t("Measure")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("counted_by:N", title=t("Counted by")),
        ],
    ).properties(width=640, height=300)
