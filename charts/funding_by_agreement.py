"""UK funding commitments to France, in the currency announced

Horizontal bars show the headline amount of each UK funding commitment to France for border security since 2014, in pounds or euros as it was announced, never converted: the two currencies sit in separate panels with their own scales. These are commitments, not payments; the March 2023 deal, spread over three years, is by far the largest.
"""
import altair as alt
import pandas as pd

SYMBOL = {"GBP": "£", "EUR": "€"}
PANEL = {"GBP": "Announced in pounds", "EUR": "Announced in euros"}
AXIS = {"GBP": "£ million committed", "EUR": "€ million committed"}
SHORT = {
    "jmd_2014": "Joint declaration, Sept 2014",
    "jmd_2015": "Joint declaration, Aug 2015",
    "summit_2016": "UK-France summit, 2016",
    "payments_2017": "2017 (no named agreement)",
    "sandhurst_2018": "Sandhurst Treaty, Jan 2018",
    "action_plan_2019": "Small Boats Plan, 2019",
    "action_plan_2019_supplement": "Action Plan top-up, 2019/20",
    "patel_darmanin_2020": "Patel-Darmanin, Nov 2020",
    "patel_darmanin_2021": "Patel-Darmanin, July 2021",
    "braverman_darmanin_2022": "Braverman-Darmanin, 2022",
    "sunak_macron_2023": "Sunak-Macron, Mar 2023",
}
COLOUR = {"GBP": "#4c78a8", "EUR": "#f58518"}


def _panel(df, currency, order):
    part = df[df["currency"] == currency]
    agreements = [a for a in order if a in set(part["label"])]
    base = alt.Chart(part).encode(
        y=alt.Y("label:N", title=None, sort=agreements, axis=alt.Axis(labelLimit=240)),
        x=alt.X("millions:Q", title=AXIS[currency], axis=alt.Axis(format=",.0f"),
                  scale=alt.Scale(domainMax=float(part["millions"].max()) * 1.3)),  # room for the labels
        tooltip=[
            alt.Tooltip("agreement_title:N", title="Agreement"),
            alt.Tooltip("date:N", title="Date"),
            alt.Tooltip("amount_text:N", title="Amount committed"),
            alt.Tooltip("purpose:N", title="Purpose"),
        ],
    )
    bars = base.mark_bar(color=COLOUR[currency])
    text = base.mark_text(align="left", dx=4).encode(text="amount_text:N")
    return (bars + text).properties(width=400, height=26 * len(agreements), title=PANEL[currency])


def chart(data):
    df = data["funding"]
    df = df[df["kind"] == "announced"].copy()
    df = df.sort_values(["year", "date"])
    df["millions"] = df["amount"] / 1e6
    df["amount_text"] = [
        f"{SYMBOL[c]}{m:,.2f}".rstrip("0").rstrip(".") + " million" for c, m in zip(df["currency"], df["millions"])
    ]
    df["label"] = [SHORT.get(a, t) for a, t in zip(df["agreement"], df["agreement_title"])]
    df = df[["label", "agreement_title", "date", "year", "currency", "millions", "amount_text", "purpose", "source_id"]]
    order = list(df["label"])
    # Extra padding: browsers may draw the labels in a wider font than the one they were measured with.
    return alt.vconcat(_panel(df, "GBP", order), _panel(df, "EUR", order)).resolve_scale(x="independent").properties(
        padding={"left": 40, "right": 30, "top": 5, "bottom": 5}
    )
