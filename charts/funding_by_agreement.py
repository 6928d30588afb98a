"""UK funding commitments to France, in the currency announced

Horizontal bars show the headline amount of each UK funding commitment to France for border security since 2014, in pounds or euros as it was announced, never converted: the two currencies sit in separate panels with their own scales. These are commitments, not payments; the March 2023 deal, spread over three years, is by far the largest. The grey bar for 2017 is money a Home Office answer reported as spent that year, tied to no published agreement and left out of the House of Commons Library's list and total.
"""
import re

import altair as alt
import pandas as pd

# Reader-facing words in French; the English is written once, in the code, through t().
TEXT = {
    "fr": {
        "title": "Engagements financiers du Royaume-Uni envers la France, dans la devise annoncée",
        "description": "Les barres horizontales donnent le montant annoncé de chaque engagement financier du Royaume-Uni envers la France pour la sécurité de la frontière depuis 2014, en livres ou en euros selon l’annonce, sans aucune conversion\u00a0: les deux devises occupent deux panneaux distincts, chacun avec sa propre échelle. Il s’agit d’engagements, non de versements\u202f; l’accord de mars 2023, étalé sur trois ans, est de loin le plus important. La barre grise de 2017 correspond à des dépenses signalées pour cette année-là par une réponse du Home Office, sans accord publié, et absentes de la liste et du total de la bibliothèque de la Chambre des communes.",
        "Announced in pounds": "Annoncés en livres sterling",
        "Announced in euros": "Annoncés en euros",
        "£ million committed": "Millions de livres engagés",
        "€ million committed": "Millions d’euros engagés",
        # amounts on the bars and in the tooltips; {amount} is written the language's way
        "£{amount} million": "{amount}\u00a0M£",
        "€{amount} million": "{amount}\u00a0M€",
        # short labels on the axis
        "Joint declaration, Sept 2014": "Déclaration conjointe, sept. 2014",
        "Joint declaration, Aug 2015": "Déclaration conjointe, août 2015",
        "UK-France summit, 2016": "Sommet franco-britannique, 2016",
        "2017: reported spending, no agreement": "2017\u00a0: dépenses signalées, sans accord",
        "Sandhurst Treaty, Jan 2018": "Traité de Sandhurst, janv. 2018",
        "Small Boats Plan, 2019": "Plan d’action small boats, 2019",
        "Action Plan top-up, 2019/20": "Complément au plan d’action, 2019-2020",
        "Patel-Darmanin, Nov 2020": "Patel-Darmanin, nov. 2020",
        "Patel-Darmanin, July 2021": "Patel-Darmanin, juillet 2021",
        "Braverman-Darmanin, 2022": "Braverman-Darmanin, 2022",
        "Sunak-Macron, Mar 2023": "Sunak-Macron, mars 2023",
        # agreements (agreement_title in funding.csv)
        "Joint Ministerial Declaration, September 2014 (Joint Intervention Fund)": "Déclaration ministérielle conjointe, septembre 2014 (Fonds d’intervention conjoint)",
        "Joint Ministerial Declaration, August 2015": "Déclaration ministérielle conjointe, août 2015",
        "UK-France summit Annex on migration, 2016": "Sommet franco-britannique, annexe sur les migrations, 2016",
        "2017 funding (no named agreement)": "Financement 2017 (sans accord identifié)",
        "Sandhurst Treaty, January 2018": "Traité de Sandhurst, janvier 2018",
        "Small Boats Joint Action Plan, 2019": "Plan d’action conjoint sur les small boats, 2019",
        "Supplement to the 2019 Small Boats Action Plan": "Complément au plan d’action 2019 sur les small boats",
        "Patel-Darmanin agreement, November 2020": "Accord Patel-Darmanin, novembre 2020",
        "Patel-Darmanin agreement, July 2021": "Accord Patel-Darmanin, juillet 2021",
        "Braverman-Darmanin joint statement, November 2022 (for 2022-23)": "Déclaration conjointe Braverman-Darmanin, novembre 2022 (pour 2022-2023)",
        "Sunak-Macron summit, March 2023 (three years, 2023-24 to 2025-26)": "Sommet Sunak-Macron, mars 2023 (sur trois ans, de 2023-2024 à 2025-2026)",
        # dates that are words (ISO dates read the same in French)
        "FY2019/20": "Exercice 2019-2020",
        # what the money is for (purpose in funding.csv)
        "Security at the ports of Calais and Dunkirk (fencing, cameras) and the Eurotunnel terminal; spent 2014-2016, over three years.":
            "Sécurité des ports de Calais et de Dunkerque (clôtures, caméras) et du terminal d’Eurotunnel\u202f; dépensé de 2014 à 2016, sur trois ans.",
        "Security reviews of the juxtaposed controls; moving migrants into reception centres across France; over two years.":
            "Audits de sécurité des contrôles juxtaposés\u202f; transfert de migrants vers des centres d’accueil dans toute la France\u202f; sur deux ans.",
        "Further strengthening the border and keeping the juxtaposed controls running.":
            "Renforcer encore la frontière et assurer le bon fonctionnement des contrôles juxtaposés.",
        "To further strengthen the border and maintain the juxtaposed controls.":
            "Renforcer encore la frontière et maintenir les contrôles juxtaposés.",
        "Fencing, CCTV and detection technology at Calais and other Channel ports; moving migrants away from ports; a joint coordination centre.":
            "Clôtures, vidéosurveillance et technologies de détection à Calais et dans d’autres ports de la Manche\u202f; éloignement des migrants des ports\u202f; un centre de coordination conjoint.",
        "Communications campaigns and equipment to detect small boats.":
            "Campagnes de communication et matériel de détection des small boats.",
        "Gendarme reservists and further preventive security on the French coast.":
            "Gendarmes réservistes et renforcement de la sécurité préventive sur le littoral français.",
        "Doubling French officers on the beaches from 1 December 2020; drones, radar, optronic binoculars, fixed cameras; port security; accommodation for migrants.":
            "Doublement des effectifs français sur les plages à partir du 1er décembre 2020\u202f; drones, radars, jumelles optroniques, caméras fixes\u202f; sécurité des ports\u202f; hébergement des migrants.",
        "Doubling police on northern French beaches to 200; surveillance technology; wider patrols; aerial surveillance; border infrastructure.":
            "Doublement des policiers sur les plages du nord de la France, portés à 200\u202f; technologies de surveillance\u202f; patrouilles élargies\u202f; surveillance aérienne\u202f; infrastructures frontalières.",
        "More officers on the beaches (from 200 to 300); UK officers in French control rooms; drones and night vision; CCTV and dog teams at ports; reception and removal centres.":
            "Davantage d’agents sur les plages (de 200 à 300)\u202f; agents britanniques dans les salles de commandement françaises\u202f; drones et vision nocturne\u202f; vidéosurveillance et équipes cynophiles dans les ports\u202f; centres d’accueil et de rétention.",
        "A detention centre in northern France, a joint command centre, 500 extra officers on the beaches, more drones and surveillance.":
            "Un centre de rétention dans le nord de la France, un centre de commandement conjoint, 500 agents supplémentaires sur les plages, davantage de drones et de surveillance.",
        "Agreement": "Accord",
        "Date": "Date",
        "Amount committed": "Montant engagé",
        "Kind": "Nature",
        "Published agreement": "Accord publié",
        "Reported spending, no published agreement": "Dépenses signalées, sans accord publié",
        "Purpose": "Objet",
    },
}

AMOUNT = {"GBP": "£{amount} million", "EUR": "€{amount} million"}
PANEL = {"GBP": "Announced in pounds", "EUR": "Announced in euros"}
AXIS = {"GBP": "£ million committed", "EUR": "€ million committed"}
SHORT = {
    "jmd_2014": "Joint declaration, Sept 2014",
    "jmd_2015": "Joint declaration, Aug 2015",
    "summit_2016": "UK-France summit, 2016",
    "payments_2017": "2017: reported spending, no agreement",
    "sandhurst_2018": "Sandhurst Treaty, Jan 2018",
    "action_plan_2019": "Small Boats Plan, 2019",
    "action_plan_2019_supplement": "Action Plan top-up, 2019/20",
    "patel_darmanin_2020": "Patel-Darmanin, Nov 2020",
    "patel_darmanin_2021": "Patel-Darmanin, July 2021",
    "braverman_darmanin_2022": "Braverman-Darmanin, 2022",
    "sunak_macron_2023": "Sunak-Macron, Mar 2023",
}
COLOUR = {"GBP": "#0072B2", "EUR": "#D55E00"}  # house palette
OUTSIDE = "#767676"  # money reported as spent, tied to no published agreement
KIND = {"announced": "Published agreement", "reported_spending": "Reported spending, no published agreement"}
ISO_DATE = re.compile(r"\d{4}(-\d{2}){0,2}")  # 2019, 2019-09, 2019-09-20: the same in every language


def _panel(df, currency, order, t):
    part = df[df["currency"] == currency]
    agreements = [a for a in order if a in set(part["label"])]
    base = alt.Chart(part).encode(
        y=alt.Y("label:N", title=None, sort=agreements, axis=alt.Axis(labelLimit=240)),
        x=alt.X("millions:Q", title=t(AXIS[currency]), axis=alt.Axis(format=",.0f"),
                  scale=alt.Scale(domainMax=float(part["millions"].max()) * 1.3)),  # room for the labels
        tooltip=[
            alt.Tooltip("agreement_title:N", title=t("Agreement")),
            alt.Tooltip("date:N", title=t("Date")),
            alt.Tooltip("amount_text:N", title=t("Amount committed")),
            alt.Tooltip("kind_text:N", title=t("Kind")),
            alt.Tooltip("purpose:N", title=t("Purpose")),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind_text:N", legend=None,
                        scale=alt.Scale(domain=[t(KIND["announced"]), t(KIND["reported_spending"])], range=[COLOUR[currency], OUTSIDE])))
    text = base.mark_text(align="left", dx=4).encode(text="amount_text:N")
    return (bars + text).properties(width=400, height=26 * len(agreements), title=t(PANEL[currency]))


def chart(data, t):
    df = data["funding"]
    df = df[df["kind"].isin(["announced", "reported_spending"])].copy()
    df["kind_text"] = df["kind"].map(KIND).map(t)
    df = df.sort_values(["year", "date"])
    df["millions"] = df["amount"] / 1e6
    numbers = [t.number(m, "#,##0.##") for m in df["millions"]]  # 12 or 3.6, never 12.00 or 3.60
    df["amount_text"] = [t(AMOUNT[c]).format(amount=n) for c, n in zip(df["currency"], numbers)]
    df["label"] = [t(SHORT.get(a, title)) for a, title in zip(df["agreement"], df["agreement_title"])]
    df["agreement_title"] = df["agreement_title"].map(t)
    df["date"] = df["date"].map(lambda d: d if not isinstance(d, str) or ISO_DATE.fullmatch(d) else t(d))
    df["purpose"] = df["purpose"].map(t)
    df = df[["label", "agreement_title", "date", "year", "currency", "millions", "amount_text", "purpose", "kind_text", "source_id"]]
    order = list(df["label"])
    # Extra padding: browsers may draw the labels in a wider font than the one they were measured with.
    return alt.vconcat(_panel(df, "GBP", order, t), _panel(df, "EUR", order, t)).resolve_scale(x="independent").properties(
        padding={"left": 40, "right": 30, "top": 5, "bottom": 5}
    )
