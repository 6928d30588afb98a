"""Things counted per year

The count rose every year of the period shown.
"""
import altair as alt


def chart(data, t):
    return alt.Chart(data["values"]).mark_bar().encode(
        x=alt.X("year:O", title=t("Year")),
        y=alt.Y("value:Q", title=t("Things counted")),
        tooltip=[alt.Tooltip("year:O", title=t("Year")), alt.Tooltip("value:Q", title=t("Counted"), format=","),
                 alt.Tooltip("source_id:N", title=t("Source"))],
    ).properties(width=400, height=200)
