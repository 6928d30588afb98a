"""People France reports stopping from crossing, per year

Bars show the yearly sum of the weekly number of people the French authorities report having prevented from crossing, as published by the Home Office; the label on each bar gives how many weeks of data it sums. The series only starts in May 2024 and the latest year is incomplete, so only 2025 is a full year.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Personnes empêchées de traverser selon la France, par année",
        "description": "Les barres donnent, pour chaque année, la somme des chiffres hebdomadaires de personnes que les autorités françaises disent avoir empêchées de traverser, tels que publiés par le Home Office\u202f; l’étiquette de chaque barre indique le nombre de semaines additionnées. La série ne commence qu’en mai 2024 et la dernière année est incomplète\u00a0: seule 2025 est une année entière.",
        "{weeks} weeks (full year)": "{weeks} semaines (année entière)",
        "{weeks} weeks, from {date}": "{weeks} semaines, à partir du {date}",
        "{weeks} weeks, to {date}": "{weeks} semaines, jusqu’au {date}",
        "Weeks ending {first} to {last}": "Semaines se terminant entre le {first} et le {last}",
        "Year": "Année",
        "People prevented (French estimates)": "Personnes empêchées de traverser (estimations françaises)",
        "People prevented": "Personnes empêchées de traverser",
        "Events prevented": "Tentatives empêchées",
        "Weeks summed": "Semaines additionnées",
    },
}


def chart(data, t):
    df = data["french_preventions"].copy()
    df["year"] = df["year"].astype(int)
    df["people_prevented"] = df["people_prevented"].astype(int)
    df["events_prevented"] = df["events_prevented"].astype(int)
    df["weeks"] = df["weeks_with_data"].astype(int)
    def coverage(weeks, first, last):
        if first.month == 1 and last.month == 12:
            return t("{weeks} weeks (full year)").format(weeks=weeks)
        if first.month > 1:
            return t("{weeks} weeks, from {date}").format(weeks=weeks, date=t.date(first, "d MMM"))
        return t("{weeks} weeks, to {date}").format(weeks=weeks, date=t.date(last, "d MMM"))

    df["coverage"] = [coverage(w, a, b) for w, a, b in zip(df["weeks"], df["first_week_ending"], df["last_week_ending"])]
    df["from_to"] = [t("Weeks ending {first} to {last}").format(first=t.date(a), last=t.date(b))
                     for a, b in zip(df["first_week_ending"], df["last_week_ending"])]
    df["full"] = [a.month == 1 and b.month == 12 for a, b in zip(df["first_week_ending"], df["last_week_ending"])]
    df = df[["year", "people_prevented", "events_prevented", "weeks", "coverage", "from_to", "full", "source_id"]]

    base = alt.Chart(df).encode(
        x=alt.X("year:O", title=t("Year"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("people_prevented:Q", title=t("People prevented (French estimates)"),
                axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("people_prevented:Q", title=t("People prevented"), format=",.0f"),
            alt.Tooltip("events_prevented:Q", title=t("Events prevented"), format=",.0f"),
            alt.Tooltip("from_to:N", title=t("Weeks summed")),
        ],
    )
    bars = base.mark_bar(width=90).encode(
        color=alt.condition("datum.full", alt.value("#0072B2"), alt.value("#9ecae9")),
    )
    labels = base.mark_text(dy=-6, baseline="bottom").encode(text="coverage:N")
    return (bars + labels).properties(width=640, height=300)
