"""People arriving in the UK by small boat, per year

Bars show the number of people detected arriving in the UK by small boat in each calendar year from 2018 to 2025, from the Home Office's annual figures. Arrivals rose from a few hundred in 2018 to a peak in 2022, fell in 2023 and rose again in 2024 and 2025. The figures for 2018 to 2022 are final official statistics; those for 2023 to 2025 are provisional and drawn in a lighter shade.
"""
import altair as alt

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Personnes arrivées au Royaume-Uni en small boat, par année",
        "description": "Les barres donnent le nombre de personnes détectées à leur arrivée au Royaume-Uni en small boat au cours de chaque année civile, de 2018 à 2025, d’après les chiffres annuels du Home Office. Les arrivées sont passées de quelques centaines en 2018 à un pic en 2022, ont reculé en 2023 puis sont reparties à la hausse en 2024 et en 2025. Les chiffres de 2018 à 2022 sont des statistiques officielles définitives\u202f; ceux de 2023 à 2025 sont provisoires et tracés dans une teinte plus claire.",
        "Year": "Année",
        "People arriving by small boat": "Personnes arrivées en small boat",
        "People": "Personnes",
        "Status": "Statut",
        "Provisional figure": "Chiffre provisoire",
        "Final figure": "Chiffre définitif",
    },
}


def chart(data, t):
    df = data["uk_arrivals_by_year"]
    df = df[df["series"] == "official"][["year", "people", "status", "source_id"]].copy()
    df["year"] = df["year"].astype(int)
    df["people"] = df["people"].astype(int)
    final, provisional = t("Final figure"), t("Provisional figure")
    df["status"] = df["status"].map({"final": final, "provisional": provisional})  # the data's own status column

    base = alt.Chart(df).encode(
        x=alt.X("year:O", title=t("Year"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people:Q", title=t("People arriving by small boat"), axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("status:N", title=t("Status")),
        ],
    )
    # the provisional bar's light tint is 2.3:1 on a white page: an outline in the house blue (3:1 or
    # more on either page) keeps it, and its legend symbol, visible (WCAG 1.4.11)
    bars = base.mark_bar(stroke="#0072B2", strokeWidth=1.5).encode(
        color=alt.Color("status:N", title=None, sort=[final, provisional],
                        scale=alt.Scale(domain=[final, provisional], range=["#0072B2", "#56B4E9"]),  # house blue, and its light tint
                        legend=alt.Legend(orient="top")),
    )
    labels = base.mark_text(dy=-6, baseline="bottom").encode(text=alt.Text("people:Q", format=",.0f"))
    return (bars + labels).properties(width=640, height=300)
