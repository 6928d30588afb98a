"""People arriving in the UK by small boat, per year

Bars show the number of people detected arriving in the UK by small boat in each calendar year from 2018 to 2025, from the Home Office official statistics. Arrivals rose from a few hundred in 2018 to a peak in 2022, fell in 2023 and rose again in 2024 and 2025; the 2025 figure is provisional.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Personnes arrivées au Royaume-Uni en small boat, par année",
        "description": "Les barres donnent le nombre de personnes détectées à leur arrivée au Royaume-Uni en small boat au cours de chaque année civile, de 2018 à 2025, d’après les statistiques officielles du Home Office. Les arrivées sont passées de quelques centaines en 2018 à un pic en 2022, ont reculé en 2023 puis sont reparties à la hausse en 2024 et en 2025\u202f; le chiffre de 2025 est provisoire.",
        "Year": "Année",
        "People arriving by small boat": "Personnes arrivées en small boat",
        "People": "Personnes",
        "Status": "Statut",
        "Provisional": "Provisoire",
        "Final": "Définitif",
    },
}


def chart(data, t):
    df = data["uk_arrivals_by_year"]
    df = df[df["series"] == "official"][["year", "people", "note", "source_id"]].copy()
    df["year"] = df["year"].astype(int)
    df["people"] = df["people"].astype(int)
    df["status"] = df["note"].fillna("").str.contains("rovisional").map({True: t("Provisional"), False: t("Final")})
    df = df.drop(columns="note")

    base = alt.Chart(df).encode(
        x=alt.X("year:O", title=t("Year"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people:Q", title=t("People arriving by small boat"), axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("status:N", title=t("Status")),
        ],
    )
    bars = base.mark_bar(color="#0072B2")
    labels = base.mark_text(dy=-6, baseline="bottom").encode(text=alt.Text("people:Q", format=",.0f"))
    return (bars + labels).properties(width=640, height=300)
