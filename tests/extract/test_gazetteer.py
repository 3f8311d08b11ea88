"""The outlet gazetteer (archiver/extract/data/outlets.json): its shape, its coverage, and a few
credits found end to end with outlets that only the larger gazetteer knows."""
from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from archiver.extract import extract
from archiver.extract.mentions import gazetteer
from archiver.urls import registrable_domain

TYPES = {"agency", "newspaper", "broadcaster", "magazine", "online"}
EU27 = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
# publishers whose news site is a host under a larger company's domain
SUBDOMAIN_HOSTS = {"abcnews.go.com", "folha.uol.com.br", "oglobo.globo.com"}


@pytest.fixture(scope="module")
def data() -> list[dict]:
    return json.loads(resources.files("archiver.extract").joinpath("data/outlets.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def by_alias():
    return gazetteer()


def test_size(data):
    assert len(data) >= 800


def test_entries_are_well_formed(data):
    for e in data:
        assert set(e) <= {"name", "aliases", "domain", "country", "language", "type", "ambiguous"}, e["name"]
        assert isinstance(e["name"], str) and e["name"].strip() == e["name"] and e["name"]
        assert isinstance(e["aliases"], list)
        assert all(isinstance(a, str) and a and a.strip() == a for a in e["aliases"]), e["name"]
        d = e["domain"]
        assert d and d == d.lower() and not d.startswith("www."), e["name"]
        assert not any(c in d for c in ":/?# "), (e["name"], d)
        reg = registrable_domain(d)
        if d in SUBDOMAIN_HOSTS:
            assert d.endswith("." + reg)
        else:
            assert reg == d, (e["name"], d, reg)
        assert len(e["country"]) == 2 and e["country"].isascii() and e["country"].isupper(), e["name"]
        assert len(e["language"]) == 2 and e["language"].isascii() and e["language"].islower(), e["name"]
        assert e["type"] in TYPES, e["name"]
        assert e.get("ambiguous", True) is True, e["name"]  # present only as true


def test_names_are_unique(data):
    dupes = [n for n, k in Counter(e["name"] for e in data).items() if k > 1]
    assert not dupes


def test_no_alias_points_at_two_outlets(data):
    """Every surface form the loader derives (the alias, its typographic-apostrophe spelling and the
    all-caps form of 4+ characters) belongs to one outlet; a clash would silently go to the first."""
    owner: dict[str, str] = {}
    clashes = []
    for e in data:
        for alias in {e["name"], *e["aliases"]}:
            forms = {alias, alias.replace("'", "’")}
            forms |= {f.upper() for f in forms if len(f) >= 4}
            for f in forms:
                if owner.setdefault(f, e["name"]) != e["name"]:
                    clashes.append((f, owner[f], e["name"]))
    assert not clashes


def test_every_eu_member_state_is_covered(data):
    per_country = Counter(e["country"] for e in data)
    thin = {c: per_country[c] for c in EU27 if per_country[c] < 3}
    assert not thin
    assert per_country["UA"] >= 15 and per_country["RU"] >= 15


def test_every_type_is_used(data):
    assert {e["type"] for e in data} == TYPES


@pytest.mark.parametrize("alias,name", [
    ("AP", "Associated Press"),
    ("AFP", "Agence France-Presse"),
    ("NYT", "The New York Times"),
    ("dpa", "Deutsche Presse-Agentur"),
    ("EFE", "Agencia EFE"),
    ("Kyiv Independent", "The Kyiv Independent"),
    ("Ukrainska Pravda", "Ukrainska Pravda"),
    ("Українська правда", "Ukrainska Pravda"),
    ("TASS", "TASS"),
    ("ТАСС", "TASS"),
    ("RIA Novosti", "RIA Novosti"),
    ("РИА Новости", "RIA Novosti"),
    ("Meduza", "Meduza"),
    ("Reuters", "Reuters"),
    ("ANSA", "ANSA"),
    ("Xinhua", "Xinhua"),
    ("Kyodo", "Kyodo News"),
    ("Yonhap", "Yonhap"),
    ("Anadolu", "Anadolu Agency"),
    ("IRNA", "Islamic Republic News Agency"),
    ("PTI", "Press Trust of India"),
    ("ANI", "Asian News International"),
    ("Ukrinform", "Ukrinform"),
    ("European Pravda", "European Pravda"),
    ("Novaya Gazeta", "Novaya Gazeta"),
    ("Mediazona", "Mediazona"),
])
def test_named_outlets_resolve(by_alias, alias, name):
    assert by_alias[alias].name == name


# the national news agency and the public broadcaster of member states, by the alias used in credits
@pytest.mark.parametrize("alias,country", [
    ("APA", "AT"), ("ORF", "AT"), ("Belga", "BE"), ("RTBF", "BE"), ("VRT", "BE"), ("BTA", "BG"), ("BNT", "BG"),
    ("HINA", "HR"), ("HRT", "HR"), ("Cyprus News Agency", "CY"), ("CyBC", "CY"), ("ČTK", "CZ"), ("ČT", "CZ"),
    ("Ritzau", "DK"), ("DR", "DK"), ("ERR", "EE"), ("STT", "FI"), ("Yle", "FI"), ("AFP", "FR"), ("dpa", "DE"),
    ("ARD", "DE"), ("ANA-MPA", "GR"), ("ERT", "GR"), ("MTI", "HU"), ("RTÉ", "IE"), ("ANSA", "IT"), ("RAI", "IT"),
    ("LETA", "LV"), ("LSM", "LV"), ("ELTA", "LT"), ("LRT", "LT"), ("RTL Luxembourg", "LU"), ("TVM", "MT"),
    ("ANP", "NL"), ("NOS", "NL"), ("PAP", "PL"), ("TVP", "PL"), ("Lusa", "PT"), ("RTP", "PT"), ("Agerpres", "RO"),
    ("TVR", "RO"), ("TASR", "SK"), ("STVR", "SK"), ("STA", "SI"), ("RTV SLO", "SI"), ("EFE", "ES"), ("RTVE", "ES"),
    ("TT", "SE"), ("SVT", "SE"),
])
def test_member_state_agencies_and_broadcasters(by_alias, alias, country):
    assert by_alias[alias].country == country


@pytest.mark.parametrize("alias", [
    "Time", "Fortune", "The Sun", "Mirror", "Express", "Independent", "Telex", "Delfi", "Dozhd",
    "Stuff", "Tempo", "Marca", "Fakt", "Polityka", "Globes", "Delo", "Diena", "Danas", "Politika", "Babel",
    "Republik", "Falter", "Kurir", "Zvezda", "Vesti", "TT", "DR", "HRT", "RT", "NV",
])
def test_common_words_are_marked_ambiguous(by_alias, alias):
    assert by_alias[alias].ambiguous


@pytest.mark.parametrize("word", [
    "Foreign Affairs", "CCTV", "SME", "RCN", "PNP", "TSA", "APS", "UNT", "HBL", "TVA", "SIC", "20 Minuten",
    "Omni", "The Age", "The Star", "Sabah", "Vanguard", "Watson", "Mint", "Trend", "Capital", "Channel 24", "444",
])
def test_risky_words_are_not_aliases(by_alias, word):
    """Words that name an outlet but far more often mean something else in news text ("according to
    CCTV footage", "the Ministry of Foreign Affairs said", "according to the RCN")."""
    assert word not in by_alias


def test_few_lower_case_aliases(by_alias):
    """Aliases starting in lower case are searched with one str.find each over every page."""
    assert sum(1 for a in by_alias if a[0].islower()) <= 32


def page(sentence: str) -> bytes:
    filler = ("The regional council met on Tuesday to discuss the budget for the coming year. Members "
              "argued over school funding, road repairs and the new bus routes for several hours. ")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story</title></head>
<body><article><h1>Story headline</h1>
<p>{filler * 2}</p>
<p>{sentence} {filler}</p>
<p>{filler * 2}</p>
</article></body></html>""".encode("utf-8")


def credited(sentence: str) -> list[str]:
    refs = extract(page(sentence), "https://news.example.com/a")
    return [m.name for m in refs.mentions if not m.unnamed]


@pytest.mark.parametrize("sentence,expected", [
    ("The strike on the power plant was confirmed, according to Ukrinform.", "Ukrinform"),
    ("The evacuation of the town was ordered on Friday, the Kyiv Independent reported.", "The Kyiv Independent"),
    ("Moscow denied that the convoy had been hit, TASS said.", "TASS"),
    ("The journalist was detained at the border, according to Meduza.", "Meduza"),
    ("The minister met his counterpart in Brussels, European Pravda reported.", "European Pravda"),
    ("Laut APA will die Regierung das Gesetz im Herbst ändern.", "Austria Presse Agentur"),
    ("Le gouvernement prépare une réforme des retraites, selon l'AFP.", "Agence France-Presse"),
    ("El Gobierno aprobará la medida el martes, según Europa Press.", "Europa Press"),
    ("Rząd przyjął projekt ustawy o obronie, podaje PAP.", "Polska Agencja Prasowa"),
    ("Secondo l'ANSA, il governo approverà il decreto domani.", "ANSA"),
    ("Der Plan sei gescheitert, berichtet die Kleine Zeitung.", "Kleine Zeitung"),
    ("The figures were first reported by Seznam Zprávy.", "Seznam Zprávy"),
    ("The ministry confirmed the figures to Delfi on Monday.", "Delfi"),
    ("The vote was postponed, Yonhap reported.", "Yonhap"),
])
def test_credits_end_to_end(sentence, expected):
    assert expected in credited(sentence)


@pytest.mark.parametrize("sentence", [
    "The Ministry of Foreign Affairs said the talks would resume on Monday.",
    "Police released CCTV footage of the suspect, according to CCTV records seen by the court.",
    "Er wartete 20 Minuten, berichtet die Polizei.",
    "Stuff happens, the mayor said with a shrug.",
    "The plan was popular, according to 444 respondents of the city survey.",
])
def test_not_credits_end_to_end(sentence):
    assert credited(sentence) == []

