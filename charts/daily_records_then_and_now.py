"""Record days: the figure reported at the time against today's Home Office series

For each day that was reported as a single-day record (or a notable high), one dot shows the number of people reported at the time and another the number in the current Home Office daily series, joined by a line. Most pairs are close, but some differ by dozens or more: the record of 21 August 2021 now stands higher than it was reported, while the Ministry of Defence figure for 22 August 2022 is well above today's Home Office value.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Journées record\u00a0: le chiffre annoncé à l’époque face à la série actuelle du Home Office",
        "description": "Pour chaque journée annoncée comme un record (ou un pic notable), un point donne le nombre de personnes annoncé à l’époque et un autre le nombre figurant aujourd’hui dans la série quotidienne du Home Office, les deux étant reliés par un trait. La plupart des paires sont proches, mais certaines diffèrent de plusieurs dizaines de personnes, voire davantage\u00a0: le record du 21 août 2021 est aujourd’hui plus élevé qu’annoncé à l’époque, tandis que le chiffre du ministère britannique de la Défense pour le 22 août 2022 dépasse nettement la valeur actuelle du Home Office.",
        "Reported at the time": "Annoncé à l’époque",
        "Today's Home Office series": "Série actuelle du Home Office",
        "People arriving on the day": "Personnes arrivées ce jour-là",
        "Day": "Jour",
        "Figure": "Chiffre",
        "People": "Personnes",
        "Given by": "Selon",
        # who gave each figure (reported_by in daily_arrivals.csv)
        "Home Office time series": "Série chronologique du Home Office",
        "PA tally of Home Office data": "Décompte de l’agence PA d’après les données du Home Office",
        "i News": "i News",
        "Home Office (via AFP)": "Home Office (via l’AFP)",
        "The National": "The National",
        "Home Office (via PA), 23 August 2021": "Home Office (via l’agence PA), 23 août 2021",
        "PA": "Agence PA",
        "Home Office (via PA)": "Home Office (via l’agence PA)",
        "Ministry of Defence (via AFP)": "Ministère britannique de la Défense (via l’AFP)",
        "Home Office provisional data (via The Guardian)": "Données provisoires du Home Office (via The Guardian)",
    },
}

THEN = "Reported at the time"
NOW = "Today's Home Office series"


def chart(data, t):
    then, now = t(THEN), t(NOW)
    df = data["daily_arrivals"].copy()
    both = df.groupby("date")["series"].nunique()
    df = df[df["date"].isin(both[both == 2].index)]
    df["series_label"] = df["series"].map({"reported_at_time": then, "home_office_current": now})
    df["day"] = [t.date(d) for d in df["date"]]
    df["people"] = df["people"].astype(int)
    df["reported_by"] = df["reported_by"].map(t)
    df = df.sort_values("date")
    order = list(dict.fromkeys(df["day"]))
    df = df[["day", "series_label", "people", "reported_by", "source_id"]]

    y = alt.Y("day:N", title=None, sort=order)
    line = alt.Chart(df).mark_rule(color="#888888", strokeWidth=2).encode(
        y=y, x="min(people):Q", x2="max(people):Q"
    )
    dots = alt.Chart(df).mark_point(filled=True, size=120, opacity=1).encode(
        y=y,
        x=alt.X("people:Q", title=t("People arriving on the day"), axis=alt.Axis(format=",.0f", tickCount=7)),
        color=alt.Color("series_label:N", title=None, sort=[then, now],
                        scale=alt.Scale(domain=[then, now], range=["#D55E00", "#0072B2"]),
                        legend=alt.Legend(orient="top", columnPadding=40, labelLimit=300)),
        shape=alt.Shape("series_label:N", title=None, sort=[then, now],
                        scale=alt.Scale(domain=[then, now], range=["diamond", "circle"])),
        tooltip=[
            alt.Tooltip("day:N", title=t("Day")),
            alt.Tooltip("series_label:N", title=t("Figure")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("reported_by:N", title=t("Given by")),
        ],
    )
    # Extra left padding: browsers may draw the day labels in a wider font than the one they were measured with.
    return (line + dots).properties(width=640, height=300, padding={"left": 25, "right": 10, "top": 5, "bottom": 5})
