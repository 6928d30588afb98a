"""Deaths in Channel crossings: how the counts differ

Each dot is one published count of people who died trying to cross the Channel in a year, placed in that year's column beside the other counts for the same year and coloured by who counted: French maritime officials, the Refugee Council, the IOM and the French anti-smuggling office OLTIM. Its shape says what it counts: a filled circle is a count of deaths for the whole year; a hollow square is a count made before the year ended; a triangle is a count given as deaths that probably includes the missing too. Counts for the same year often disagree, most of all in 2024, the deadliest year on record, when published totals range from the high sixties to the high seventies; no official UK count exists.
"""
import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Morts lors des traversées de la Manche\u00a0: des décomptes qui divergent",
        "description": "Chaque point est un décompte publié des personnes mortes en tentant de traverser la Manche au cours d’une année, placé dans la colonne de cette année à côté des autres décomptes de la même année et coloré selon l’auteur du décompte\u00a0: les autorités maritimes françaises, le Refugee Council, l’OIM et l’Office de lutte contre le trafic illicite de migrants (Oltim). Sa forme indique ce qu’il compte\u00a0: un rond plein est un décompte des morts sur l’année entière\u202f; un carré vide, un décompte arrêté avant la fin de l’année\u202f; un triangle, un décompte présenté comme celui des morts mais qui inclut probablement aussi les disparus. Les décomptes d’une même année divergent souvent, surtout en 2024, l’année la plus meurtrière jamais enregistrée, pour laquelle les totaux publiés vont d’un peu moins de 70 à près de 80\u202f; il n’existe aucun décompte officiel britannique.",
        # who counted (legend)
        "French Préfecture maritime": "Préfecture maritime",
        "French officials (via AFP)": "Autorités françaises (via l’AFP)",
        "French official (via UN News)": "Responsable français (via UN News)",
        "Refugee Council": "Refugee Council",
        "IOM Missing Migrants Project": "OIM, projet Migrants disparus",
        "OLTIM (French anti-smuggling office)": "Oltim (office français de lutte contre les passeurs)",
        # what each dot counts (legend)
        "Deaths, whole year": "Morts, année entière",
        "Deaths, count made before the year ended": "Morts, décompte arrêté avant la fin de l’année",
        "Probably the dead and the missing together": "Probablement morts et disparus réunis",
        "What the dot counts": "Ce que compte le point",
        "not given": "non précisé",
        "Whole year": "Année entière",
        "Part of the year: to 18 dec": "Partie de l’année\u00a0: jusqu’au 18 déc.",
        "Year": "Année",
        "{date}: at least {dead}\ndrowned in one shipwreck": "{date} : au moins {dead} noyés\nen un seul naufrage",
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
        "Préfecture maritime 2024 review, as reported: the zone where France leads search and rescue": "Bilan 2024 de la Préfecture maritime, selon l’article\u00a0: la zone où la France dirige les secours en mer",
        "Préfecture maritime via AFP, as of 18 December 2024": "Préfecture maritime via l’AFP, au 18 décembre 2024",
        "French anti-smuggling office OLTIM (Xavier Delrieu)": "Oltim, office français de lutte contre les passeurs (Xavier Delrieu)",
        "IOM Missing Migrants Project as reported; includes deaths on land on the way to crossing points":
            "Projet Migrants disparus de l’OIM, tel que rapporté\u202f; inclut les morts à terre en chemin vers les points de départ",
        'Refugee Council compilation ("at least 69")': "Compilation du Refugee Council («\u00a0au moins 69\u00a0»)",
        # where each count was published (publisher in sources.csv)
        "20 Minutes / AFP": "20 Minutes / AFP",
        "BFM Grand Littoral": "BFM Grand Littoral",
        "Delta FM": "Delta FM",
        "FactRefuge": "FactRefuge",
        "France 3 Hauts-de-France": "France 3 Hauts-de-France",
        "Le Parisien": "Le Parisien",
        "Radio6": "Radio6",
        "Tendance Ouest": "Tendance Ouest",
        "UN News": "UN News",
        "Westferry Times": "Westferry Times",
        "franceinfo": "franceinfo",
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
OPEN_SQUARE = "M-1,-1H1V1H-1Z M-0.55,-0.55V0.55H0.55V-0.55Z"  # the inner square, drawn the other way, is a hole
KINDS = ["Deaths, whole year", "Deaths, count made before the year ended", "Probably the dead and the missing together"]


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
    # What each dot counts: whole-year deaths, a count made before the year ended, or probably dead and missing.
    df["kind"] = [KINDS[2] if c == "dead_probably_with_missing" else KINDS[1] if p != "full_year" else KINDS[0]
                  for c, p in zip(df["counts"], df["period"])]
    df["kind"] = df["kind"].map(t)
    # Each year is a column of its own (a band on the year axis); a year's counts stand side by side
    # inside it, in the legend's order of who counted, centred on the year: every dot stays on its
    # year, and two equal counts are two dots, never one on top of the other.
    df["order"] = df["counter"].map({name: i for i, name in enumerate(COUNTERS)})
    df = df.sort_values(["year", "order", "dead"]).reset_index(drop=True)
    per_year = df.groupby("year")["year"].transform("size")
    df["place"] = df.groupby("year").cumcount() - (per_year - 1) / 2  # no title: not shown in the table
    widest = int(per_year.max())
    df = df[["year", "place", "counted_by", "kind", "dead", "missing_text", "period_text", "scope", "reported_in", "source_id"]]

    # Key events, on the chart itself: each dated incident of the data (incidents.csv) in a charted
    # year, as a short label above that year's dots with a thin rule down to them.
    incidents = data["incidents"]
    incidents = incidents[pd.to_datetime(incidents["date"]).dt.year.isin(df["year"].unique())]
    top = df["dead"].max()
    notes = pd.DataFrame({
        "year": [pd.Timestamp(d).year for d in incidents["date"]],
        "rule_from": [df.loc[df["year"] == pd.Timestamp(d).year, "dead"].max() + top * 0.04 for d in incidents["date"]],
        "label_y": [df.loc[df["year"] == pd.Timestamp(d).year, "dead"].max() + top * 0.2 for d in incidents["date"]],
        "label": [t("{date}: at least {dead}\ndrowned in one shipwreck").format(date=t.date(pd.Timestamp(d), "d MMM y"), dead=t.number(int(n)))
                  for d, n in zip(incidents["date"], incidents["dead"])],
        "source_id": list(incidents["source_id"]),
    })
    notes["rule_to"] = notes["label_y"] - top * 0.08  # stops under the label's second line

    order = [t(name) for name in COUNTERS.values()]
    kinds = [t(k) for k in KINDS]
    # One year axis for the dots and the events: a band per year, ruled off from the next by a light line.
    x = alt.X("year:O", title=t("Year"), scale=alt.Scale(paddingInner=0.1, paddingOuter=0.2),
              axis=alt.Axis(labelAngle=0, grid=True, tickBand="extent", ticks=False, labelPadding=6))
    # a ring of the page's colour round each dot (explainer.css gives it the dark page's colour too):
    # where a phone's narrow band packs the dots of one year close, each stays a dot of its own
    dots = alt.Chart(df).mark_point(filled=True, size=100, opacity=1, stroke="#ffffff", strokeWidth=1.5).encode(
        x=x,
        xOffset=alt.XOffset("place:Q", title=None, scale=alt.Scale(domain=[-widest / 2, widest / 2])),
        y=alt.Y("dead:Q", title=t("People who died (as counted)"), axis=alt.Axis(format=",.0f")),
        color=alt.Color("counted_by:N", title=t("Counted by"), sort=order,
                        scale=alt.Scale(domain=order, range=COLOURS), legend=alt.Legend(orient="bottom", columns=1, labelLimit=300)),
        # the shape says what a dot counts; a count made before the year ended is an open square (a ring)
        shape=alt.Shape("kind:N", title=t("What the dot counts"), sort=kinds,
                        scale=alt.Scale(domain=kinds, range=["circle", OPEN_SQUARE, "triangle-up"]),
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=400, symbolFillColor="#767676")),
        tooltip=[
            alt.Tooltip("year:O", title=t("Year")),
            alt.Tooltip("counted_by:N", title=t("Counted by")),
            alt.Tooltip("kind:N", title=t("What the dot counts")),
            alt.Tooltip("dead:Q", title=t("Dead"), format=",.0f"),
            alt.Tooltip("missing_text:N", title=t("Missing")),
            alt.Tooltip("period_text:N", title=t("Period")),
            alt.Tooltip("scope:N", title=t("What it covers")),
            alt.Tooltip("reported_in:N", title=t("Reported in")),
        ],
    )
    # the events share the dots' scales and axes (same titles): in the middle of their year's band
    x_event = x
    rule = alt.Chart(notes).mark_rule(color="#767676", strokeWidth=1).encode(
        x=x_event, y=alt.Y("rule_from:Q", title=t("People who died (as counted)")), y2="rule_to:Q")
    label = alt.Chart(notes).mark_text(baseline="bottom", lineBreak="\n", color="#333333", fontSize=12).encode(
        x=x_event, y=alt.Y("label_y:Q", title=t("People who died (as counted)")), text="label:N")
    return (dots + rule + label).properties(width=640, height=320)
