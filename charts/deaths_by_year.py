"""Deaths in Channel crossings: how the counts differ

Each dot is one published count of people who died trying to cross the Channel in a year, coloured by who counted: French maritime officials, the Refugee Council, the IOM and the French anti-smuggling office OLTIM. Counts for the same year often disagree, most of all in 2024, the deadliest year on record, when published totals range from the high sixties to the high seventies; no official UK count exists.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Morts lors des traversées de la Manche\u00a0: des décomptes qui divergent",
        "description": "Chaque point est un décompte publié des personnes mortes en tentant de traverser la Manche au cours d’une année, coloré selon l’auteur du décompte\u00a0: les autorités maritimes françaises, le Refugee Council, l’OIM et l’Office de lutte contre le trafic illicite de migrants (Oltim). Les décomptes d’une même année divergent souvent, surtout en 2024, l’année la plus meurtrière jamais enregistrée, pour laquelle les totaux publiés vont d’un peu moins de 70 à près de 80\u202f; il n’existe aucun décompte officiel britannique.",
        # who counted (legend)
        "French Préfecture maritime": "Préfecture maritime",
        "French officials (via AFP)": "Autorités françaises (via l’AFP)",
        "French official (via UN News)": "Responsable français (via UN News)",
        "Refugee Council": "Refugee Council",
        "IOM Missing Migrants Project": "OIM, projet Migrants disparus",
        "OLTIM (French anti-smuggling office)": "Oltim (office français de lutte contre les passeurs)",
        "not given": "non précisé",
        "Whole year": "Année entière",
        "Part of the year: to 18 dec": "Partie de l’année\u00a0: jusqu’au 18 déc.",
        "Part of the year: to 29 dec": "Partie de l’année\u00a0: jusqu’au 29 déc.",
        "Year": "Année",
        "People who died (as counted)": "Personnes mortes (selon le décompte)",
        "Counted by": "Source du décompte",
        "Dead": "Morts",
        "Missing": "Disparus",
        "Period": "Période",
        "What it covers": "Périmètre",
        "Reported in": "Publié par",
        # what each count covers (scope in deaths.csv)
        "French official tally of migrant deaths in Channel crossings": "Bilan officiel français des migrants morts lors des traversées de la Manche",
        "French official tally for Channel crossings": "Bilan officiel français pour les traversées de la Manche",
        "French maritime official quoted by UN News": "Responsable maritime français cité par UN News",
        "Deaths in Channel crossings, including 27 in the November 2021 shipwreck": "Morts lors des traversées de la Manche, dont 27 dans le naufrage de novembre 2021",
        "Préfecture maritime 2021 review (scope not spelled out)": "Bilan 2021 de la Préfecture maritime (périmètre non précisé)",
        "Refugee Council compilation of press releases, media and local groups": "Compilation du Refugee Council à partir de communiqués, de la presse et d’associations locales",
        "One in the French rescue zone, four in the English zone": "Un dans la zone de sauvetage française, quatre dans la zone anglaise",
        "Refugee Council compilation": "Compilation du Refugee Council",
        "Préfecture maritime 2023 review": "Bilan 2023 de la Préfecture maritime",
        "Préfecture maritime 2023 review as reported by local radio": "Bilan 2023 de la Préfecture maritime, selon une radio locale",
        "Préfecture maritime figure given to franceinfo in September 2024": "Chiffre de la Préfecture maritime communiqué à franceinfo en septembre 2024",
        "Préfecture maritime annual operational report, as charted by BFM": "Rapport opérationnel annuel de la Préfecture maritime, d’après l’infographie de BFM",
        "Préfecture maritime 2024 operational report": "Rapport opérationnel 2024 de la Préfecture maritime",
        "Préfecture maritime 2024 report: French search-and-rescue zone only": "Rapport 2024 de la Préfecture maritime\u00a0: zone de recherche et de sauvetage française uniquement",
        "Préfecture maritime via AFP, as of 18 December 2024": "Préfecture maritime via l’AFP, au 18 décembre 2024",
        "French anti-smuggling office OLTIM (Xavier Delrieu)": "Oltim, office français de lutte contre les passeurs (Xavier Delrieu)",
        "IOM Missing Migrants Project as reported; includes deaths on land on the way to crossing points":
            "Projet Migrants disparus de l’OIM, tel que rapporté\u202f; inclut les morts à terre en chemin vers les points de départ",
        "IOM Missing Migrants Project as reported on 30 December 2024": "Projet Migrants disparus de l’OIM, tel que rapporté le 30 décembre 2024",
        'Refugee Council compilation ("at least 69")': "Compilation du Refugee Council («\u00a0au moins 69\u00a0»)",
        # where each count was published (publisher in sources.csv)
        "20 Minutes (AFP)": "20 Minutes (AFP)",
        "BFM Grand Littoral": "BFM Grand Littoral",
        "Delta FM": "Delta FM",
        "FactRefuge, citing IOM and BBC": "FactRefuge, citant l’OIM et la BBC",
        "France 3 Hauts-de-France": "France 3 Hauts-de-France",
        "Le Parisien (read via a proxy copy)": "Le Parisien (lu via une copie sur un proxy)",
        "Radio6": "Radio6",
        "Tendance Ouest": "Tendance Ouest",
        "UN News (copy on j99news.com)": "UN News (copie sur j99news.com)",
        "Westferry Times": "Westferry Times",
        "franceinfo": "franceinfo",
        "post-truth.eu, citing BBC and IOM": "post-truth.eu, citant la BBC et l’OIM",
    },
}

COUNTERS = {
    "premar": "French Préfecture maritime",
    "fr_official_afp": "French officials (via AFP)",
    "un_news": "French official (via UN News)",
    "refugee_council": "Refugee Council",
    "iom": "IOM Missing Migrants Project",
    "oltim": "OLTIM (French anti-smuggling office)",
}
COLOURS = ["#D55E00", "#CC79A7", "#009E73", "#0072B2", "#8A6100", "#767676"]  # the house palette (Okabe-Ito)


def chart(data, t):
    df = data["deaths"]
    df = df[df["counter"].isin(COUNTERS)].copy()  # leaves out the all-incidents count, which is not about migrants
    sources = data["sources"].set_index("id")
    df["reported_in"] = df["source_id"].map(sources["publisher"]).map(t)
    df["counted_by"] = df["counter"].map(COUNTERS).map(t)
    df["year"] = df["year"].astype(int)
    df["dead"] = df["dead"].astype(int)
    df["missing_text"] = df["missing"].map(lambda v: t("not given") if pd.isna(v) else t.number(int(v)))
    df["period_text"] = df["period"].map({"full_year": "Whole year"}).fillna("Part of the year: " + df["period"].str.replace("_", " ")).map(t)
    df["scope"] = df["scope"].map(t)
    # Spread the dots of one year side by side: one slot per counter, duplicates nudged a little further.
    df = df.sort_values(["year", "counter", "dead"]).reset_index(drop=True)
    slot = df.groupby("year")["counter"].transform(lambda c: pd.Series(pd.factorize(c)[0], index=c.index))
    slots = df.groupby("year")["counter"].transform("nunique")
    dup = df.groupby(["year", "counter"]).cumcount()
    df["x"] = df["year"] + (slot - (slots - 1) / 2) * 0.22 + dup * 0.05
    df = df[["x", "year", "counted_by", "dead", "missing_text", "period_text", "scope", "reported_in", "source_id"]]

    order = [t(name) for name in COUNTERS.values()]
    return alt.Chart(df).mark_point(filled=True, size=110, opacity=0.85).encode(
        x=alt.X("x:Q", title=t("Year"), scale=alt.Scale(domain=[df["year"].min() - 0.5, df["year"].max() + 0.5], nice=False),
                axis=alt.Axis(format="d", tickMinStep=1, values=sorted(df["year"].unique().tolist()), grid=False)),
        y=alt.Y("dead:Q", title=t("People who died (as counted)"), axis=alt.Axis(format=",.0f")),
        color=alt.Color("counted_by:N", title=t("Counted by"), sort=order,
                        scale=alt.Scale(domain=order, range=COLOURS), legend=alt.Legend(orient="bottom", columns=2, labelLimit=300, columnPadding=40)),
        shape=alt.Shape("counted_by:N", title=t("Counted by"), sort=order, scale=alt.Scale(domain=order)),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("counted_by:N", title=t("Counted by")),
            alt.Tooltip("dead:Q", title=t("Dead"), format=",.0f"),
            alt.Tooltip("missing_text:N", title=t("Missing")),
            alt.Tooltip("period_text:N", title=t("Period")),
            alt.Tooltip("scope:N", title=t("What it covers")),
            alt.Tooltip("reported_in:N", title=t("Reported in")),
        ],
    ).properties(width=640, height=300)
