"""Small-boat arrivals in the UK, month by month, in 2021

Bars show the people detected arriving in the UK by small boat in each month of 2021, from the Home Office time series. Arrivals rose through the spring to a summer high in July, dipped in August, climbed again in September and peaked in November; the August bar is highlighted because it holds the record day of 21 August 2021, for which today's series counts more people than the figure reported at the time.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Arrivées en small boat au Royaume-Uni, mois par mois, en 2021",
        "description": "Les barres donnent le nombre de personnes détectées à leur arrivée au Royaume-Uni en small boat pour chaque mois de 2021, d’après la série chronologique du Home Office. Les arrivées ont augmenté au printemps jusqu’à un pic estival en juillet, ont fléchi en août, sont reparties à la hausse en septembre et ont culminé en novembre\u202f; la barre d’août est mise en évidence parce qu’elle contient la journée record du 21 août 2021, pour laquelle la série actuelle compte plus de personnes que le chiffre annoncé à l’époque.",
        "Record day, {day} August:\n{current} people in today's series\n({then} reported at the time)":
            "Journée record, le {day} août\u00a0:\n{current} personnes dans la série actuelle\n({then} annoncées à l’époque)",
        "Month of 2021": "Mois de 2021",
        "People arriving by small boat": "Personnes arrivées en small boat",
        "Month": "Mois",
        "People": "Personnes",
        "Boats": "Embarcations",
    },
}


def chart(data, t):
    months = data["uk_arrivals_by_month"]
    df = months[months["month"].str.startswith("2021-")][["month", "people", "boats", "source_id"]].copy()
    df["month_name"] = pd.to_datetime(df["month"] + "-01").map(lambda d: t.date(d, "MMM"))
    df["people"] = df["people"].astype(int)
    df["boats"] = df["boats"].astype(int)
    df["highlight"] = df["month"] == "2021-08"
    order = list(df["month_name"])

    # The record day: today's Home Office value and the figure reported at the time.
    daily = data["daily_arrivals"]
    day = pd.Timestamp("2021-08-21")
    on_day = daily[daily["date"] == day]
    current = int(on_day.loc[on_day["series"] == "home_office_current", "people"].iloc[0])
    then = int(on_day.loc[on_day["series"] == "reported_at_time", "people"].iloc[0])
    august = df[df["highlight"]].iloc[0]
    note = pd.DataFrame({
        "month_name": [august["month_name"]],
        "bar_top": [int(august["people"])],
        # the label hangs from label_y; the dashed rule stops short of it
        "label_y": [int(df["people"].max() * 0.92)],
        "rule_end": [int(df["people"].max() * 0.74)],
        "label": [t("Record day, {day} August:\n{current} people in today's series\n({then} reported at the time)").format(
            day=day.day, current=t.number(current), then=t.number(then))],
    })
    df = df.drop(columns="month")

    x = alt.X("month_name:N", title=t("Month of 2021"), sort=order, axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(df).mark_bar().encode(
        x=x,
        y=alt.Y("people:Q", title=t("People arriving by small boat"), axis=alt.Axis(format=",.0f")),
        color=alt.condition("datum.highlight", alt.value("#D55E00"), alt.value("#0072B2")),
        tooltip=[
            alt.Tooltip("month_name:N", title=t("Month")),
            alt.Tooltip("people:Q", title=t("People"), format=",.0f"),
            alt.Tooltip("boats:Q", title=t("Boats"), format=",.0f"),
        ],
    )
    rule = alt.Chart(note).mark_rule(color="#D55E00", strokeDash=[3, 3]).encode(
        x=alt.X("month_name:N", sort=order), y="bar_top:Q", y2="rule_end:Q"
    )
    text = alt.Chart(note).mark_text(
        baseline="top", lineBreak="\n", color="#D55E00", fontWeight="bold"
    ).encode(x=alt.X("month_name:N", sort=order), y="label_y:Q", text="label:N")
    return (bars + rule + text).properties(width=640, height=300)
